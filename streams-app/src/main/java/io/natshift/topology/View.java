package io.natshift.topology;

/**
 * What one vantage (inside, outside, gateway: addresses differ on each side of a NAT) saw of one
 * IKE SA attempt. Every field is accumulated so that the result does not depend on the order in
 * which records arrive: earliest packet per leg, counts, bit sets. Mutable, owned by one SaState.
 */
final class View {
    static final long NONE = Long.MIN_VALUE;

    String vantage;
    String probeId;
    boolean roleKnown;
    boolean roleInferred;

    String responderAddr;
    int responderPort;

    // initiator on the UDP 500 leg: its earliest packet
    String before;
    int beforePort;
    long beforeTs = NONE;
    long beforeFrame;
    String beforeSource;

    // the float: earliest initiator packet on UDP 4500
    String after;
    int afterPort;
    long floatTs = NONE;
    long floatFrame;
    String floatSource;
    int floatExchange;

    // latest initiator address, to see later address changes
    String currentAddr;
    boolean currentNatT;
    long currentTs = NONE;
    int addressUpdates;

    boolean shift;
    int responderToBefore;
    int responderToAfter;
    boolean responderNatT;

    int phases;
    QuickMode[] quickModes = new QuickMode[0];
    long establishedTs = NONE;

    int initiatorPackets;
    int responderPackets;
    int initiatorRetransmissions;
    int responderRetransmissions;
    int duplicates;
    int fragments;
    boolean natDetected;
    int errorNotify;

    long lastTs = NONE;
    boolean lastFromResponder;
    long lastFrame;
    String lastSource;

    Signature[] signatures = new Signature[0];

    int packets() {
        return initiatorPackets + responderPackets;
    }

    boolean floated() {
        return floatTs != NONE;
    }

    /** One quick-mode exchange (IKEv1 phase 2), by message id. */
    static final class QuickMode {
        int messageId;
        long initiatorLength;   // length of its first initiator message (quick-1); a different one is quick-3
        long initiatorTs = NONE;
        long responderTs = NONE;
        boolean third;
    }

    /** A message already seen, with how often each probe captured it (retransmission vs. duplicate capture). */
    static final class Signature {
        int key;
        int max;
        int[] probes;
        int[] counts;
    }
}
