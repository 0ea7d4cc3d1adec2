package io.natshift.decode;

import java.util.Collection;

/**
 * Which UDP ports carry IKE. {@code ikePorts} carry IKE directly (500 by default); {@code natTPorts}
 * carry it behind the 4-byte non-ESP marker, shared with ESP-in-UDP and keepalives (4500 by default).
 */
public final class DecoderConfig {
    public static final int IKE_PORT = 500;
    public static final int NAT_T_PORT = 4500;

    // plain arrays, not BitSet: two lookups per UDP datagram, and decode runs on the C1 compiler
    private final boolean[] ikePorts = new boolean[65536];
    private final boolean[] natTPorts = new boolean[65536];

    public DecoderConfig(Collection<Integer> ikePorts, Collection<Integer> natTPorts) {
        ikePorts.forEach(p -> this.ikePorts[checkPort(p)] = true);
        natTPorts.forEach(p -> this.natTPorts[checkPort(p)] = true);
    }

    public static DecoderConfig defaults() {
        return new DecoderConfig(java.util.List.of(IKE_PORT), java.util.List.of(NAT_T_PORT));
    }

    private static int checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("not a UDP port: " + port);
        }
        return port;
    }

    boolean isNatTPort(int port) {
        return natTPorts[port];
    }

    boolean isIkePort(int port) {
        return ikePorts[port];
    }
}
