package io.natshift.topology;

import java.util.ArrayList;
import java.util.List;

import io.natshift.schemas.avro.NatBinding;

/**
 * Joins what the vantages saw of one SA attempt (one cookie pair: NAT rewrites addresses and ports,
 * never the IKE cookies) into a NAT binding: the subscriber's inside endpoint per leg -> the public
 * endpoint per leg, and the responder in front of and behind a destination NAT.
 */
final class NatBindings {
    static final String INSIDE = "inside";
    static final String OUTSIDE = "outside";
    static final String GATEWAY = "gateway";

    private NatBindings() {
    }

    static NatBinding of(long initiatorSpi, SaState s) {
        View inside = s.view(INSIDE);
        View outside = s.view(OUTSIDE);
        View behind = s.view(GATEWAY);
        View pub = publicView(s);
        View primary = s.primary();
        boolean established = s.established();

        String front = outside == null || outside.responderAddr == null ? null : Ike.endpoint(outside.responderAddr, outside.responderPort);
        String back = behind == null || behind.responderAddr == null ? null : Ike.endpoint(behind.responderAddr, behind.responderPort);
        boolean floated = false;
        boolean shift = false;
        List<String> vantages = new ArrayList<>(s.views.size());
        for (View v : s.views) {
            floated |= v.floated();
            shift |= v.shift;
            vantages.add(v.vantage);
        }
        return NatBinding.newBuilder()
                .setSaId(Outputs.saId(initiatorSpi, s.responderSpi))
                .setInitiatorSpi(Outputs.spiHex(initiatorSpi))
                .setResponderSpi(Outputs.spiHex(s.responderSpi))
                .setIkeVersion(s.version)
                .setSubscriber(subscriber(s))
                .setSubscriberSource(subscriberSource(s))
                .setInside500(leg500(inside))
                .setInside4500(leg4500(inside))
                .setPublic500(leg500(pub))
                .setPublic4500(leg4500(pub))
                .setPublicVantage(pub == null ? null : pub.vantage)
                .setResponderFront(front)
                .setResponderBehind(back)
                .setDestinationNat(front != null && back != null && !outside.responderAddr.equals(behind.responderAddr))
                .setGateway(gateway(s, outside, behind))
                .setVantages(vantages)
                .setFloated(floated)
                .setNatShift(shift)
                .setOutcome(established ? "established" : "failed")
                .setCause(established ? null : Outputs.cause(s, primary))
                .setSetupMillis(established ? s.establishedTs() - s.firstTs : null)
                .setRetransmissions(primary.initiatorRetransmissions + primary.responderRetransmissions)
                .setStartMillis(s.firstTs)
                .setEndMillis(s.lastTs)
                .build();
    }

    /** The public side of the NAT: the outside probe, else the gateway probe, else any probe not inside. */
    private static View publicView(SaState s) {
        View outside = s.view(OUTSIDE);
        if (outside != null) {
            return outside;
        }
        View gateway = s.view(GATEWAY);
        if (gateway != null) {
            return gateway;
        }
        for (View v : s.views) {
            if (!INSIDE.equals(v.vantage)) {
                return v;
            }
        }
        return null;
    }

    /** Who the SA belongs to: the inside address when an inside probe saw it, else the public 'before' address. */
    static String subscriber(SaState s) {
        View inside = s.view(INSIDE);
        if (inside != null && initiatorAddress(inside) != null) {
            return initiatorAddress(inside);
        }
        View pub = publicView(s);
        String addr = pub == null ? null : initiatorAddress(pub);
        return addr == null ? "unknown" : addr;
    }

    static String subscriberSource(SaState s) {
        View inside = s.view(INSIDE);
        if (inside != null && initiatorAddress(inside) != null) {
            return "inside";
        }
        View pub = publicView(s);
        return pub != null && initiatorAddress(pub) != null ? "public-before" : "unknown";
    }

    private static String initiatorAddress(View v) {
        return v.beforeTs != View.NONE ? v.before : v.floated() ? v.after : null;
    }

    private static String leg500(View v) {
        return v == null || v.beforeTs == View.NONE ? null : Ike.endpoint(v.before, v.beforePort);
    }

    private static String leg4500(View v) {
        return v == null || !v.floated() ? null : Ike.endpoint(v.after, v.afterPort);
    }

    private static String gateway(SaState s, View outside, View behind) {
        if (outside != null && outside.responderAddr != null) {
            return outside.responderAddr;
        }
        if (behind != null && behind.responderAddr != null) {
            return behind.responderAddr;
        }
        for (View v : s.views) {
            if (v.responderAddr != null) {
                return v.responderAddr;
            }
        }
        return "unknown";
    }
}
