package io.natshift.synth;

/**
 * One packet of the plan: when it passes the gateway-side probe, which way, on which flow, what it
 * carries, whether the Internet loses it, and what it proves for the ground truth.
 * Loss happens between the two probes: a lost packet towards the gateway is seen only inside the
 * carrier, a lost packet from the gateway only at the gateway side.
 */
final class Emission {
    static final int IKE = 0;
    static final int KEEPALIVE = 1;
    static final int ESP = 2;

    // Roles: what a frame is evidence of (see Attempt).
    static final int ROLE_NONE = 0;
    static final int ROLE_INITIATOR_500 = 1;
    static final int ROLE_GATEWAY_500 = 2;
    static final int ROLE_FLOAT = 3;
    static final int ROLE_GATEWAY_FLOAT = 4;
    static final int ROLE_ESTABLISHED = 5;
    static final int ROLE_UPDATE = 6;

    long time;
    int kind;
    boolean toGateway;
    /** On UDP 4500: IKE behind the non-ESP marker, keepalive or ESP-in-UDP. */
    boolean natT;
    Endpoint clientInside;
    Endpoint clientOutside;
    Endpoint gateway;
    byte[] ike;
    int espSize;
    int espSpi;
    long espSeq;
    boolean lost;
    /** One-way delay between the probes, for the inside probe's timestamps. */
    long latencyMicros;
    Attempt attempt;
    int role;
    AddressUpdate update;
    /** Order of planning, to keep the sort stable for equal times. */
    long sequence;

    boolean seenOutside() {
        return !(toGateway && lost);
    }

    boolean seenInside() {
        return toGateway || !lost;
    }
}
