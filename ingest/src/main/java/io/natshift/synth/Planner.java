package io.natshift.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Plans the packets of one negotiation attempt (RFC 2409 main / aggressive mode, RFC 7296
 * IKE_SA_INIT / IKE_AUTH, with the RFC 3947 / 7296 2.23 float to UDP 4500 behind a NAT) and of the
 * exchanges of an established SA (DPD / liveness, rekey, MOBIKE / rebinding). Times are those at the
 * gateway-side probe; a client reacts one round trip after the gateway sent.
 */
final class Planner {
    record Plan(Attempt attempt, List<Emission> emissions, boolean established, long nextAttemptAt, long steadyFrom,
                Endpoint clientOutsideNatT, Endpoint clientInsideNatT, Endpoint gatewayNatT) {
    }

    static final int IKE_PORT = 500;
    static final int NAT_T_PORT = 4500;

    private final SynthOptions options;
    private final ByteSink sink = new ByteSink(2048);
    private final IkeV1Messages v1 = new IkeV1Messages(sink);
    private final IkeV2Messages v2 = new IkeV2Messages(sink);

    // Per attempt scratch, valid during one plan() call.
    private List<Emission> out;
    private Attempt attempt;
    private Subscriber sub;
    private SplittableRandom r;
    private Endpoint in500;
    private Endpoint in4500;
    private Endpoint out500;
    private Endpoint out4500;
    private Endpoint gw500;
    private Endpoint gw4500;
    private boolean nat;
    /** The latest address update of the SA being served: any later packet from its new address is its evidence. */
    private AddressUpdate update;

    Planner(SynthOptions options) {
        this.options = options;
    }

    Plan plan(Session session, Subscriber s, int number, long t, SplittableRandom random) {
        sub = s;
        r = random;
        update = null;
        out = new ArrayList<>();
        nat = s.natted();
        boolean v6 = s.ipv6;
        byte[] gwAddress = v6 ? s.gateway.ipv6() : s.gateway.ipv4();
        gw500 = new Endpoint(gwAddress, IKE_PORT);
        gw4500 = new Endpoint(gwAddress, NAT_T_PORT);
        in500 = new Endpoint(s.insideAddress, IKE_PORT);
        in4500 = new Endpoint(s.insideAddress, nat ? NAT_T_PORT : IKE_PORT);
        // The carrier NAT's UDP mappings idle out between attempts, so each attempt gets fresh ones.
        out500 = nat ? map(s, null) : in500;
        out4500 = nat ? map(s, null) : in500;
        int version = switch (s.ike) {
            case V2 -> 2;
            case V1_MAIN, V1_AGGRESSIVE -> 1;
            case MIX -> throw new IllegalStateException("mix is resolved per subscriber");
        };
        String exchange = switch (s.ike) {
            case V1_MAIN -> "main";
            case V1_AGGRESSIVE -> "aggressive";
            default -> "ike-sa-init";
        };
        attempt = new Attempt(s, number, nonZero(), version, exchange, s.gateway);
        attempt.responderSpi = nonZero();
        long finish = switch (s.ike) {
            case V1_AGGRESSIVE -> aggressive(t);
            case V1_MAIN -> main(t);
            default -> ikev2(t);
        };
        boolean established = attempt.result == Attempt.Result.ESTABLISHED;
        long retry = established ? Session.NEVER : finish + r.nextLong(20_000_000L, 60_000_000L);
        Endpoint natTOutside = nat ? out4500 : out500;
        return new Plan(attempt, out, established, retry, finish, natTOutside, in4500, nat ? gw4500 : gw500);
    }

    private long nonZero() {
        long v;
        do {
            v = r.nextLong();
        } while (v == 0);
        return v;
    }

    /** A new NAT mapping: arbitrary pools pick any pool address per connection, paired ones the host's address. */
    Endpoint map(Subscriber s, Endpoint avoid) {
        byte[][] pool = s.pool.addresses();
        byte[] address;
        if (s.pool.arbitrary()) {
            address = pool[r.nextInt(pool.length)];
            if (avoid != null && pool.length > 1) {
                while (java.util.Arrays.equals(address, avoid.address())) {
                    address = pool[r.nextInt(pool.length)];
                }
            }
        } else {
            address = s.pairedAddress;
        }
        return new Endpoint(address, r.nextInt(1024, 65536));
    }

    Endpoint remap(Subscriber s, Endpoint from, SplittableRandom random) {
        r = random;
        return map(s, from);
    }

    // ---- IKEv1 aggressive mode ----

    private long aggressive(long t) {
        DhGroup group = r.nextBoolean() ? DhGroup.MODP_1024 : DhGroup.MODP_2048;
        long ispi = attempt.initiatorSpi;
        long rspi = attempt.responderSpi;
        String identity = sub.name() + "@vpn.example.com";
        sink.clear();
        v1.aggressive1(r, ispi, group, identity);
        byte[] am1 = sink.toByteArray();
        sink.clear();
        v1.aggressive2(r, ispi, rspi, group, "gw" + sub.gateway.index() + ".example.com", out500, gw500);
        byte[] am2 = sink.toByteArray();
        long[] reply = new long[1];
        long t3 = roundTrip(t, am1, false, Emission.ROLE_INITIATOR_500, am2, Emission.ROLE_GATEWAY_500, reply);
        if (t3 < 0) {
            return timedOut(t + Session.RETRANSMIT[3]);
        }
        byte[] am3 = v1Encrypted(ispi, rspi, IkeV1Messages.AGGRESSIVE, 0, nat ? IkeV1Messages.NAT_D : IkeV1Messages.HASH, 3 + r.nextInt(3));
        long qmId = messageId();
        byte[] qm1 = v1Encrypted(ispi, rspi, IkeV1Messages.QUICK, qmId, IkeV1Messages.HASH, 14 + r.nextInt(8));
        if (ignoredAfterFloat()) {
            return ignoredV1(t3, reply[0], am2, am3, qm1, true);
        }
        int floatRole = nat ? Emission.ROLE_FLOAT : Emission.ROLE_NONE;
        boolean am3Arrived = !up(t3, am3, nat, floatRole);
        long tq = t3 + 20_000 + r.nextInt(40_000);
        if (!am3Arrived) {
            // The gateway resends its reply; the client answers it once more.
            long tg = reply[0] + Session.RETRANSMIT[1];
            down(tg, am2, false, Emission.ROLE_GATEWAY_500);
            up(tg + rtt(), am3, nat, floatRole);
            tq = tg + rtt() + 30_000;
        }
        return quickMode(tq, ispi, rspi, qmId, qm1);
    }

    private long quickMode(long t, long ispi, long rspi, long qmId, byte[] qm1) {
        byte[] qm2 = v1Encrypted(ispi, rspi, IkeV1Messages.QUICK, qmId, IkeV1Messages.HASH, 14 + r.nextInt(8));
        byte[] qm3 = v1Encrypted(ispi, rspi, IkeV1Messages.QUICK, qmId, IkeV1Messages.HASH, 3);
        long t3 = roundTrip(t, qm1, nat, nat ? Emission.ROLE_FLOAT : Emission.ROLE_NONE, qm2, Emission.ROLE_ESTABLISHED, null);
        if (t3 < 0) {
            return timedOut(t + Session.RETRANSMIT[3]);
        }
        up(t3, qm3, nat, Emission.ROLE_NONE);
        attempt.result = Attempt.Result.ESTABLISHED;
        return t3 + 50_000;
    }

    /**
     * The float's packets do not reach a gateway that will use them (UDP 4500 blocked, or a strict
     * gateway and a new source address): the gateway retransmits its last reply to the old address
     * at 4, 11 and 24 s, the client answers each from the 4500 flow, reports an error ~3 s after each
     * of its quick mode attempts, and finally gives up.
     */
    private long ignoredV1(long t, long gatewayReplied, byte[] lastReply, byte[] first, byte[] quick, boolean sendsQuick) {
        long ispi = attempt.initiatorSpi;
        long rspi = attempt.responderSpi;
        long clientLast = clientResends(t, first, quick, sendsQuick, ispi, rspi);
        for (int k = 1; k < Session.RETRANSMIT.length; k++) {
            long tg = gatewayReplied + Session.RETRANSMIT[k];
            if (!down(tg, lastReply, false, Emission.ROLE_GATEWAY_500)) {
                clientLast = clientResends(tg + rtt(), first, quick, sendsQuick, ispi, rspi);
            }
        }
        long giveUp = Math.max(clientLast, gatewayReplied + Session.RETRANSMIT[3]) + Session.CLIENT_ERROR_TIMEOUT;
        up(giveUp, v1Encrypted(ispi, rspi, IkeV1Messages.INFORMATIONAL, messageId(), IkeV1Messages.HASH, 5),
                nat, Emission.ROLE_FLOAT);
        attempt.result = sub.udp4500Blocked ? Attempt.Result.BLOCKED : Attempt.Result.SHIFT_FAILED;
        return giveUp;
    }

    private long clientResends(long t, byte[] first, byte[] quick, boolean sendsQuick, long ispi, long rspi) {
        up(t, first, nat, Emission.ROLE_FLOAT);
        if (!sendsQuick) {
            return t;
        }
        long tq = t + 20_000 + r.nextInt(40_000);
        up(tq, quick, nat, Emission.ROLE_FLOAT);
        long te = tq + Session.CLIENT_ERROR_TIMEOUT + r.nextInt(5_000);
        int errors = 1 + r.nextInt(2);
        for (int i = 0; i < errors; i++) {
            up(te + i * 2_000L, v1Encrypted(ispi, rspi, IkeV1Messages.INFORMATIONAL, messageId(), IkeV1Messages.HASH, 5),
                    nat, Emission.ROLE_FLOAT);
        }
        return te;
    }

    // ---- IKEv1 main mode ----

    private long main(long t) {
        DhGroup group = r.nextBoolean() ? DhGroup.MODP_2048 : DhGroup.MODP_1536;
        long ispi = attempt.initiatorSpi;
        long rspi = attempt.responderSpi;
        sink.clear();
        v1.main12(ispi, 0, group, false);
        byte[] mm1 = sink.toByteArray();
        sink.clear();
        v1.main12(ispi, rspi, group, true);
        byte[] mm2 = sink.toByteArray();
        long t3 = roundTrip(t, mm1, false, Emission.ROLE_INITIATOR_500, mm2, Emission.ROLE_GATEWAY_500, null);
        if (t3 < 0) {
            return timedOut(t + Session.RETRANSMIT[3]);
        }
        sink.clear();
        v1.main34(r, ispi, rspi, group, gw500, in500);        // the client hashes its own, private, address
        byte[] mm3 = sink.toByteArray();
        sink.clear();
        v1.main34(r, ispi, rspi, group, out500, gw500);       // the gateway hashes the source it saw
        byte[] mm4 = sink.toByteArray();
        long[] reply = new long[1];
        long t5 = roundTrip(t3, mm3, false, Emission.ROLE_INITIATOR_500, mm4, Emission.ROLE_GATEWAY_500, reply);
        if (t5 < 0) {
            return timedOut(t3 + Session.RETRANSMIT[3]);
        }
        byte[] mm5 = v1Encrypted(ispi, rspi, IkeV1Messages.MAIN, 0, IkeV1Messages.ID, 4 + r.nextInt(3));
        if (ignoredAfterFloat()) {
            return ignoredV1(t5, reply[0], mm4, mm5, null, false);
        }
        byte[] mm6 = v1Encrypted(ispi, rspi, IkeV1Messages.MAIN, 0, IkeV1Messages.ID, 4 + r.nextInt(3));
        long tq = roundTrip(t5, mm5, nat, nat ? Emission.ROLE_FLOAT : Emission.ROLE_NONE, mm6,
                nat ? Emission.ROLE_GATEWAY_FLOAT : Emission.ROLE_NONE, null);
        if (tq < 0) {
            return timedOut(t5 + Session.RETRANSMIT[3]);
        }
        long qmId = messageId();
        return quickMode(tq, ispi, rspi, qmId,
                v1Encrypted(ispi, rspi, IkeV1Messages.QUICK, qmId, IkeV1Messages.HASH, 14 + r.nextInt(8)));
    }

    // ---- IKEv2 ----

    private long ikev2(long t) {
        DhGroup group = r.nextBoolean() ? DhGroup.ECP_256 : DhGroup.MODP_2048;
        long ispi = attempt.initiatorSpi;
        long rspi = attempt.responderSpi;
        sink.clear();
        v2.saInit(r, ispi, 0, false, group, in500, gw500);       // the client hashes its own address
        byte[] init1 = sink.toByteArray();
        sink.clear();
        v2.saInit(r, ispi, rspi, true, group, gw500, out500);    // the gateway: itself, the source it saw
        byte[] init2 = sink.toByteArray();
        long ta = roundTrip(t, init1, false, Emission.ROLE_INITIATOR_500, init2, Emission.ROLE_GATEWAY_500, null);
        if (ta < 0) {
            return timedOut(t + Session.RETRANSMIT[3]);
        }
        byte[] auth1 = v2Encrypted(ispi, rspi, IkeV2Messages.IKE_AUTH, IkeV2Messages.FLAG_INITIATOR, 1,
                IkeV2Messages.IDI, 18 + r.nextInt(10));
        if (ignoredAfterFloat()) {
            // RFC 7296 2.1: only the initiator retransmits; the gateway stays silent towards the new address.
            for (int k = 0; k < Session.RETRANSMIT.length; k++) {
                up(ta + Session.RETRANSMIT[k], auth1, nat, Emission.ROLE_FLOAT);
            }
            long giveUp = ta + Session.RETRANSMIT[3] + Session.CLIENT_ERROR_TIMEOUT;
            up(giveUp, v2Encrypted(ispi, rspi, IkeV2Messages.INFORMATIONAL, IkeV2Messages.FLAG_INITIATOR, 2,
                    IkeV2Messages.DELETE, 1), nat, Emission.ROLE_FLOAT);
            attempt.result = sub.udp4500Blocked ? Attempt.Result.BLOCKED : Attempt.Result.SHIFT_FAILED;
            return giveUp;
        }
        byte[] auth2 = v2Encrypted(ispi, rspi, IkeV2Messages.IKE_AUTH, IkeV2Messages.FLAG_RESPONSE, 1,
                IkeV2Messages.IDR, 16 + r.nextInt(10));
        long done = roundTrip(ta, auth1, nat, nat ? Emission.ROLE_FLOAT : Emission.ROLE_NONE, auth2,
                Emission.ROLE_ESTABLISHED, null);
        if (done < 0) {
            return timedOut(ta + Session.RETRANSMIT[3]);
        }
        attempt.result = Attempt.Result.ESTABLISHED;
        return done;
    }

    // ---- exchanges of an established SA ----

    /** DPD R-U-THERE (RFC 3706) or an IKEv2 liveness check, started by the gateway. */
    List<Emission> liveness(Session s, Attempt sa, long t, SplittableRandom random) {
        begin(s, sa, random);
        byte[] req;
        byte[] resp;
        if (sa.ikeVersion == 1) {
            long id = messageId();
            req = v1Encrypted(sa.initiatorSpi, sa.responderSpi, IkeV1Messages.INFORMATIONAL, id, IkeV1Messages.HASH, 5);
            resp = v1Encrypted(sa.initiatorSpi, sa.responderSpi, IkeV1Messages.INFORMATIONAL, messageId(), IkeV1Messages.HASH, 5);
        } else {
            long id = r.nextInt(1, 1000);
            req = v2Encrypted(sa.initiatorSpi, sa.responderSpi, IkeV2Messages.INFORMATIONAL, 0, id, 0, 0);
            resp = v2Encrypted(sa.initiatorSpi, sa.responderSpi, IkeV2Messages.INFORMATIONAL,
                    IkeV2Messages.FLAG_INITIATOR | IkeV2Messages.FLAG_RESPONSE, id, 0, 0);
        }
        if (!down(t, req, nat, Emission.ROLE_NONE)) {
            up(t + rtt(), resp, nat, Emission.ROLE_NONE);
        }
        return out;
    }

    /** Child SA rekey: quick mode (IKEv1) or CREATE_CHILD_SA (IKEv2), started by the client. */
    List<Emission> rekey(Session s, Attempt sa, long t, SplittableRandom random) {
        begin(s, sa, random);
        if (sa.ikeVersion == 1) {
            long id = messageId();
            byte[] q1 = v1Encrypted(sa.initiatorSpi, sa.responderSpi, IkeV1Messages.QUICK, id, IkeV1Messages.HASH, 14);
            byte[] q2 = v1Encrypted(sa.initiatorSpi, sa.responderSpi, IkeV1Messages.QUICK, id, IkeV1Messages.HASH, 14);
            long t3 = roundTrip(t, q1, nat, Emission.ROLE_NONE, q2, Emission.ROLE_NONE, null);
            if (t3 >= 0) {
                up(t3, v1Encrypted(sa.initiatorSpi, sa.responderSpi, IkeV1Messages.QUICK, id, IkeV1Messages.HASH, 3),
                        nat, Emission.ROLE_NONE);
            }
        } else {
            long id = r.nextInt(2, 1000);
            roundTrip(t, v2Encrypted(sa.initiatorSpi, sa.responderSpi, IkeV2Messages.CREATE_CHILD_SA,
                            IkeV2Messages.FLAG_INITIATOR, id, IkeV2Messages.SA, 20),
                    nat, Emission.ROLE_NONE,
                    v2Encrypted(sa.initiatorSpi, sa.responderSpi, IkeV2Messages.CREATE_CHILD_SA,
                            IkeV2Messages.FLAG_INITIATOR | IkeV2Messages.FLAG_RESPONSE, id, IkeV2Messages.SA, 18),
                    Emission.ROLE_NONE, null);
        }
        return out;
    }

    /**
     * The outside address of an established SA changes: IKEv2 MOBIKE (RFC 4555 UPDATE_SA_ADDRESSES in
     * an INFORMATIONAL from the new address) or IKEv1 NAT rebinding (the next DPD comes from the new
     * mapping). Authenticated packets, so every gateway follows: not a shift.
     */
    List<Emission> addressUpdate(Session s, Attempt sa, AddressUpdate update, Endpoint inside, long t,
                                 SplittableRandom random) {
        begin(s, sa, random);
        this.update = update;
        out4500 = update.to;
        byte[] req;
        byte[] resp;
        if (sa.ikeVersion == 1) {
            req = v1Encrypted(sa.initiatorSpi, sa.responderSpi, IkeV1Messages.INFORMATIONAL, messageId(), IkeV1Messages.HASH, 5);
            resp = v1Encrypted(sa.initiatorSpi, sa.responderSpi, IkeV1Messages.INFORMATIONAL, messageId(), IkeV1Messages.HASH, 5);
        } else {
            long id = r.nextInt(2, 1000);
            req = v2Encrypted(sa.initiatorSpi, sa.responderSpi, IkeV2Messages.INFORMATIONAL, IkeV2Messages.FLAG_INITIATOR, id,
                    IkeV2Messages.NOTIFY, 2);
            resp = v2Encrypted(sa.initiatorSpi, sa.responderSpi, IkeV2Messages.INFORMATIONAL,
                    IkeV2Messages.FLAG_INITIATOR | IkeV2Messages.FLAG_RESPONSE, id, IkeV2Messages.NOTIFY, 2);
        }
        for (int k = 0; k < Session.RETRANSMIT.length; k++) {
            Emission e = emission(t + Session.RETRANSMIT[k], true, nat, req, Emission.ROLE_UPDATE);
            e.update = update;
            if (!e.lost) {
                down(e.time + 2_000, resp, nat, Emission.ROLE_NONE);
                break;
            }
        }
        return out;
    }

    private void begin(Session s, Attempt sa, SplittableRandom random) {
        sub = sa.subscriber;
        attempt = null;
        r = random;
        out = new ArrayList<>();
        nat = sub.natted();
        in4500 = s.inside4500();
        out4500 = s.outside4500();
        gw4500 = s.gatewayNatT();
        update = s.updates.isEmpty() ? null : s.updates.get(s.updates.size() - 1);
    }

    // ---- primitives ----

    /** Initiator request, gateway response, with the initiator's retransmissions; -1 when it gives up. */
    private long roundTrip(long t, byte[] req, boolean natT, int reqRole, byte[] resp, int respRole, long[] replied) {
        long receivedAt = Session.NEVER;
        for (int k = 0; k < Session.RETRANSMIT.length; k++) {
            long tk = t + Session.RETRANSMIT[k];
            if (tk >= receivedAt) {
                break;
            }
            if (!up(tk, req, natT, reqRole)) {
                long tr = tk + gatewayDelay();
                if (replied != null && replied[0] == 0) {
                    replied[0] = tr;
                }
                if (!down(tr, resp, natT, respRole)) {
                    receivedAt = Math.min(receivedAt, tr + rtt());
                }
            }
        }
        return receivedAt == Session.NEVER ? -1 : receivedAt + r.nextInt(1_000, 30_000);
    }

    private boolean ignoredAfterFloat() {
        if (!nat) {
            return false;
        }
        return sub.udp4500Blocked || (sub.gateway.strict() && !out4500.sameAddress(out500));
    }

    private long timedOut(long t) {
        attempt.result = Attempt.Result.TIMED_OUT;
        return t;
    }

    /** Client to gateway; returns true when the packet is lost (or blocked) on the way. */
    private boolean up(long t, byte[] ike, boolean natT, int role) {
        return emission(t, true, natT, ike, role).lost;
    }

    private boolean down(long t, byte[] ike, boolean natT, int role) {
        return emission(t, false, natT, ike, role).lost;
    }

    private Emission emission(long t, boolean toGateway, boolean natT, byte[] ike, int role) {
        Emission e = new Emission();
        e.time = t;
        e.kind = Emission.IKE;
        e.toGateway = toGateway;
        e.natT = natT;
        e.clientInside = natT ? in4500 : in500;
        e.clientOutside = natT ? out4500 : out500;
        e.gateway = natT ? gw4500 : gw500;
        e.ike = ike;
        e.latencyMicros = sub.latencyMicros;
        e.attempt = attempt;
        e.role = role;
        e.lost = (toGateway && natT && sub.udp4500Blocked) || r.nextDouble() < options.loss();
        if (update != null && toGateway && natT && e.clientOutside.equals(update.to)) {
            e.update = update;
        }
        out.add(e);
        return e;
    }

    private long rtt() {
        return 2 * sub.latencyMicros + r.nextInt(2_000, 40_000);
    }

    private long gatewayDelay() {
        return sub.gateway.overloaded() ? r.nextLong(1_500_000L, 9_000_000L) : r.nextInt(300, 8_000);
    }

    private long messageId() {
        return r.nextLong(1, 0x1_0000_0000L);
    }

    private byte[] v1Encrypted(long ispi, long rspi, int exchange, long messageId, int next, int blocks) {
        sink.clear();
        v1.encrypted(r, ispi, rspi, exchange, messageId, next, blocks);
        return sink.toByteArray();
    }

    private byte[] v2Encrypted(long ispi, long rspi, int exchange, int flags, long messageId, int firstInner, int blocks) {
        sink.clear();
        v2.encrypted(r, ispi, rspi, exchange, flags, messageId, firstInner, blocks);
        return sink.toByteArray();
    }
}
