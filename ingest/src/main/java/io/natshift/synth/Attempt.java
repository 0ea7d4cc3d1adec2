package io.natshift.synth;

import java.util.ArrayList;
import java.util.List;

/**
 * Ground truth of one negotiation attempt (one cookie / SPI pair), filled in as its frames are
 * written, so the truth states what the capture shows, not what the plan intended.
 */
final class Attempt {
    static final int MAX_EVIDENCE = 32;

    enum Result { ESTABLISHED, SHIFT_FAILED, BLOCKED, TIMED_OUT }

    final Subscriber subscriber;
    final int number;
    final long initiatorSpi;
    long responderSpi;
    final int ikeVersion;
    final String exchange;
    final Topology.Gateway gateway;
    Result result;
    Endpoint before;
    Endpoint after;
    boolean floatSeenOutside;
    boolean gatewayAnsweredFloat;
    long establishedFrame = -1;
    long establishedMicros = -1;
    final List<Long> evidence = new ArrayList<>();
    int pending;
    boolean planned;

    Attempt(Subscriber subscriber, int number, long initiatorSpi, int ikeVersion, String exchange, Topology.Gateway gateway) {
        this.subscriber = subscriber;
        this.number = number;
        this.initiatorSpi = initiatorSpi;
        this.ikeVersion = ikeVersion;
        this.exchange = exchange;
        this.gateway = gateway;
    }

    /** A frame of this attempt reached the gateway-side capture as frame {@code frame}. */
    void seenOutside(Emission e, long frame) {
        switch (e.role) {
            case Emission.ROLE_INITIATOR_500 -> {
                if (before == null) {
                    before = e.clientOutside;
                }
                evidence(frame);
            }
            case Emission.ROLE_GATEWAY_500 -> evidence(frame);
            case Emission.ROLE_FLOAT -> {
                if (!floatSeenOutside) {
                    floatSeenOutside = true;
                    after = e.clientOutside;
                }
                evidence(frame);
            }
            case Emission.ROLE_GATEWAY_FLOAT -> {
                gatewayAnsweredFloat = true;
                evidence(frame);
            }
            case Emission.ROLE_ESTABLISHED -> {
                gatewayAnsweredFloat |= e.natT;
                if (establishedFrame < 0) {
                    establishedFrame = frame;
                    establishedMicros = e.time;
                }
                evidence(frame);
            }
            default -> {
            }
        }
    }

    private void evidence(long frame) {
        if (evidence.size() < MAX_EVIDENCE) {
            evidence.add(frame);
        }
    }

    boolean shifted() {
        return floatSeenOutside && before != null && !after.sameAddress(before);
    }

    boolean established() {
        return establishedFrame >= 0;
    }

    String resultText() {
        if (shifted()) {
            return gatewayAnsweredFloat ? "shift-recovered" : "shift-failed";
        }
        return switch (result) {
            case ESTABLISHED -> "established";
            case SHIFT_FAILED -> "shift-unseen";
            case BLOCKED -> "udp4500-blocked";
            case TIMED_OUT -> "timed-out";
        };
    }
}
