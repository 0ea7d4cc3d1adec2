package io.natshift.synth;

/** Diffie-Hellman groups (RFC 2409 6, RFC 3526, RFC 5903) with the size of their public value in KE. */
public enum DhGroup {
    MODP_1024(2, 128),
    MODP_1536(5, 192),
    MODP_2048(14, 256),
    ECP_256(19, 64),
    ECP_384(20, 96);

    public final int number;
    public final int publicValueSize;

    DhGroup(int number, int publicValueSize) {
        this.number = number;
        this.publicValueSize = publicValueSize;
    }
}
