package io.natshift.topology;

import java.util.Arrays;

import io.natshift.schemas.avro.IkePacket;

/**
 * Applies one IKE packet to the state of its SA: roles, progress, retransmissions, the NAT-T float
 * and the shift test. Pure (no Kafka, no clock): the processor decides what to store and emit.
 * Everything accumulates order-independently (earliest per leg, counts, bit sets) so records
 * reordered within the grace period give the same state.
 */
final class Negotiation {
    static final int MAX_SIGNATURES = 8;
    static final int MAX_PROBES_PER_SIGNATURE = 4;
    static final int MAX_QUICK_MODES = 4;

    private Negotiation() {
    }

    /** What applying a packet changed, for the processor. */
    enum Effect { DUPLICATE, APPLIED }

    static Effect apply(SaState s, IkePacket p, long ts) {
        if (s.firstTs == View.NONE || ts < s.firstTs) {
            s.firstTs = ts;
        }
        if (ts > s.lastTs) {
            s.lastTs = ts;
        }
        if (s.version == 0) {
            s.version = p.getMajorVersion();
        }
        View v = s.view(p.getVantage());
        if (v == null) {
            v = new View();
            v.vantage = p.getVantage();
            v.probeId = p.getProbeId();
            s.views.add(v);
        }
        boolean responder = side(v, p);
        if (ts >= v.lastTs) {
            v.lastTs = ts;
            v.lastFrame = p.getFrame();
            v.lastSource = p.getSource();
            v.lastFromResponder = responder;
        }

        int copies = recordSignature(v, p, responder);
        if (copies < 0) {
            v.duplicates++;
            return Effect.DUPLICATE;
        }
        if (responder) {
            v.responderPackets++;
            if (copies > 1) {
                v.responderRetransmissions++;
            }
        } else {
            v.initiatorPackets++;
            if (copies > 1) {
                v.initiatorRetransmissions++;
            }
        }
        if (p.getNatDetection()) {
            v.natDetected = true;
        }
        if (p.getIkeFragment() || p.getIpFragment()) {
            v.fragments++;
        }
        for (Integer n : p.getNotifyTypes()) {
            if (v.errorNotify == 0 && Ike.isErrorNotify(p.getMajorVersion(), n)) {
                v.errorNotify = n;
            }
        }
        progress(v, p, ts, responder);
        if (responder) {
            responderLeg(v, p, ts);
        } else {
            initiatorLegs(v, p, ts);
        }
        judgeFloat(v);
        return Effect.APPLIED;
    }

    /**
     * True when the responder sent the packet. IKEv2 says so in the I flag; IKEv1 phase 1 says so by
     * content (an SA payload first: the initiator's has responder SPI 0, the responder's does not;
     * an aggressive-mode message without one is the initiator's third); anything else is judged by
     * the responder address, which a NAT in front of the initiator does not change.
     */
    private static boolean side(View v, IkePacket p) {
        int ex = p.getExchangeType();
        boolean authoritative = true;
        boolean responder;
        if (p.getMajorVersion() == 2) {
            responder = (p.getFlags() & Ike.V2_FLAG_INITIATOR) == 0;
        } else if ((ex == Ike.V1_MAIN || ex == Ike.V1_AGGRESSIVE) && p.getNextPayload() == Ike.PAYLOAD_SA && !p.getEncrypted()) {
            responder = !isZero(p);
        } else if (ex == Ike.V1_AGGRESSIVE) {
            responder = false;
        } else if (v.roleKnown) {
            authoritative = false;
            if (p.getSrcAddr().equals(v.responderAddr)) {
                responder = true;
            } else if (p.getDstAddr().equals(v.responderAddr)) {
                responder = false;
            } else {
                responder = byPorts(p);
            }
        } else {
            authoritative = false;
            responder = byPorts(p);
        }
        if (!v.roleKnown || (authoritative && v.roleInferred)) {
            v.responderAddr = responder ? p.getSrcAddr() : p.getDstAddr();
            v.responderPort = responder ? p.getSrcPort() : p.getDstPort();
            v.roleKnown = true;
            v.roleInferred = !authoritative;
        }
        return responder;
    }

    /** Mid-negotiation guess: a gateway listens on 500/4500, a NATed initiator usually sends from another port. */
    private static boolean byPorts(IkePacket p) {
        return Ike.isStandardPort(p.getSrcPort()) && !Ike.isStandardPort(p.getDstPort());
    }

    private static boolean isZero(IkePacket p) {
        for (byte b : p.getResponderSpi().bytes()) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Retransmission vs. duplicate capture: returns how many times this probe has now sent the same
     * message (exchange, message id, flags, length, side) when that is more than any probe saw
     * before, else -1 (the same transmission captured again, by another probe).
     */
    private static int recordSignature(View v, IkePacket p, boolean responder) {
        long wide = (p.getMessageId() << 32) | ((p.getLength() & 0x7FFF) << 17) | ((responder ? 1L : 0L) << 16)
                | ((long) (p.getExchangeType() & 0xFF) << 8) | (p.getFlags() & 0xFF);
        // 32 bits are plenty to tell apart the few messages remembered per view, and halve the stored size
        int key = (int) ((wide * 0x9E3779B97F4A7C15L) >>> 32);
        int probe = p.getProbeId().hashCode();
        View.Signature g = null;
        for (View.Signature candidate : v.signatures) {
            if (candidate.key == key) {
                g = candidate;
                break;
            }
        }
        if (g == null) {
            g = new View.Signature();
            g.key = key;
            g.max = 1;
            g.probes = new int[] {probe};
            g.counts = new int[] {1};
            View.Signature[] sigs = v.signatures;
            if (sigs.length < MAX_SIGNATURES) {
                sigs = Arrays.copyOf(sigs, sigs.length + 1);
            } else {
                System.arraycopy(sigs, 1, sigs, 0, sigs.length - 1);   // forget the oldest message
            }
            sigs[sigs.length - 1] = g;
            v.signatures = sigs;
            return 1;
        }
        int i = 0;
        while (i < g.probes.length && g.probes[i] != probe) {
            i++;
        }
        if (i == g.probes.length) {
            if (i == MAX_PROBES_PER_SIGNATURE) {
                return -1;
            }
            g.probes = Arrays.copyOf(g.probes, i + 1);
            g.counts = Arrays.copyOf(g.counts, i + 1);
            g.probes[i] = probe;
        }
        g.counts[i]++;
        if (g.counts[i] > g.max) {
            g.max = g.counts[i];
            return g.max;
        }
        return -1;
    }

    private static void progress(View v, IkePacket p, long ts, boolean responder) {
        int ex = p.getExchangeType();
        if (p.getMajorVersion() == 2) {
            if (ex >= Ike.V2_IKE_SA_INIT && ex <= Ike.V2_INFORMATIONAL) {
                boolean response = (p.getFlags() & Ike.V2_FLAG_RESPONSE) != 0;
                v.phases |= 1 << ((ex - Ike.V2_IKE_SA_INIT) * 2 + (response ? 1 : 0));
                if (ex == Ike.V2_IKE_AUTH && response && responder) {
                    established(v, ts);
                }
            }
            return;
        }
        switch (ex) {
            case Ike.V1_MAIN -> {
                // main mode: SA (1, 2), KE (3, 4), encrypted ID/HASH (5, 6); odd from the initiator
                int pair = p.getEncrypted() ? 2 : (p.getNextPayload() == Ike.PAYLOAD_SA ? 0 : 1);
                v.phases |= 1 << (Ike.MAIN_1 + pair * 2 + (responder ? 1 : 0));
            }
            case Ike.V1_AGGRESSIVE -> {
                int n = responder ? 1 : (p.getNextPayload() == Ike.PAYLOAD_SA && !p.getEncrypted() ? 0 : 2);
                v.phases |= 1 << (Ike.AGGRESSIVE_1 + n);
            }
            case Ike.V1_QUICK -> quick(v, p, ts, responder);
            case Ike.V1_INFORMATIONAL -> v.phases |= 1 << (responder ? Ike.INFO_RESPONDER : Ike.INFO_INITIATOR);
            default -> {
                // other exchanges (new group, transaction/mode-config, unknown) are counted, not staged
            }
        }
    }

    /** Quick mode: initiator, responder, initiator again (shorter: HASH(3) only) on one message id. */
    private static void quick(View v, IkePacket p, long ts, boolean responder) {
        int id = (int) p.getMessageId();
        View.QuickMode q = null;
        for (View.QuickMode candidate : v.quickModes) {
            if (candidate.messageId == id) {
                q = candidate;
            }
        }
        if (q == null) {
            q = new View.QuickMode();
            q.messageId = id;
            View.QuickMode[] qs = v.quickModes;
            if (qs.length < MAX_QUICK_MODES) {
                qs = Arrays.copyOf(qs, qs.length + 1);
            } else {
                System.arraycopy(qs, 1, qs, 0, qs.length - 1);
            }
            qs[qs.length - 1] = q;
            v.quickModes = qs;
        }
        if (responder) {
            if (q.responderTs == View.NONE || ts < q.responderTs) {
                q.responderTs = ts;
            }
            v.phases |= 1 << (Ike.QUICK_1 + 1);
        } else if (q.initiatorTs == View.NONE) {
            q.initiatorTs = ts;
            q.initiatorLength = p.getLength();
            v.phases |= 1 << Ike.QUICK_1;
        } else if (p.getLength() != q.initiatorLength) {
            if (p.getLength() > q.initiatorLength) {
                // the longer message is quick-1: the one seen first arrived out of order
                q.initiatorLength = p.getLength();
            }
            if (ts < q.initiatorTs) {
                q.initiatorTs = ts;
            }
            q.third = true;
            v.phases |= 1 << (Ike.QUICK_1 + 2);
        } else if (ts < q.initiatorTs) {
            q.initiatorTs = ts;
        }
        if (q.initiatorTs != View.NONE && q.responderTs != View.NONE) {
            // established once both directions of one quick mode are seen
            established(v, Math.max(q.initiatorTs, q.responderTs));
        }
    }

    private static void established(View v, long ts) {
        if (v.establishedTs == View.NONE || ts < v.establishedTs) {
            v.establishedTs = ts;
        }
    }

    private static void initiatorLegs(View v, IkePacket p, long ts) {
        String src = p.getSrcAddr();
        if (!p.getNatT()) {
            if (v.beforeTs == View.NONE || ts < v.beforeTs) {
                v.before = src;
                v.beforePort = p.getSrcPort();
                v.beforeTs = ts;
                v.beforeFrame = p.getFrame();
                v.beforeSource = p.getSource();
            }
        } else if (v.floatTs == View.NONE || ts < v.floatTs) {
            v.after = src;
            v.afterPort = p.getSrcPort();
            v.floatTs = ts;
            v.floatFrame = p.getFrame();
            v.floatSource = p.getSource();
            v.floatExchange = p.getExchangeType();
        }
        if (ts >= v.currentTs) {
            // moving from the 500 leg to the 4500 leg during negotiation is the float, judged apart;
            // any other change (also a move to 4500 after establishment: MOBIKE) is an address update
            boolean isFloat = p.getNatT() && !v.currentNatT && v.establishedTs == View.NONE;
            if (v.currentAddr != null && !v.currentAddr.equals(src) && !isFloat) {
                v.addressUpdates++;
            }
            v.currentAddr = src;
            v.currentNatT = p.getNatT();
            v.currentTs = ts;
        }
    }

    private static void responderLeg(View v, IkePacket p, long ts) {
        if (p.getNatT()) {
            v.responderNatT = true;
        }
        String dst = p.getDstAddr();
        if (v.floated() && dst.equals(v.after)) {
            v.responderToAfter++;
        } else if (v.floated() && ts > v.floatTs && dst.equals(v.before)) {
            v.responderToBefore++;
        }
    }

    /**
     * The shift test: the initiator's address on its first UDP 4500 packet against its address on
     * the UDP 500 leg. A port change alone is what every NAT does; an address change during the
     * negotiation is arbitrary pooling. After establishment it is an address update (MOBIKE, rebinding).
     */
    private static void judgeFloat(View v) {
        if (v.shift || !v.floated() || v.beforeTs == View.NONE || v.before.equals(v.after)) {
            return;
        }
        if (v.establishedTs == View.NONE || v.floatTs <= v.establishedTs) {
            v.shift = true;
        }
    }
}
