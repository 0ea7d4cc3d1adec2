package io.natshift.synth;

import java.util.ArrayList;
import java.util.List;

/** One subscriber's fixed properties and the attempts made so far. */
final class Subscriber {
    final int index;
    final byte[] insideAddress;
    final boolean ipv6;
    final Topology.NatPool pool;
    final Topology.Gateway gateway;
    final SynthOptions.IkeMode ike;
    final boolean udp4500Blocked;
    final long latencyMicros;
    /** Paired pooling: the one external address all this host's flows share. */
    final byte[] pairedAddress;
    final List<Attempt> attempts = new ArrayList<>();

    Subscriber(int index, byte[] insideAddress, boolean ipv6, Topology.NatPool pool, Topology.Gateway gateway,
               SynthOptions.IkeMode ike, boolean udp4500Blocked, long latencyMicros, byte[] pairedAddress) {
        this.index = index;
        this.insideAddress = insideAddress;
        this.ipv6 = ipv6;
        this.pool = pool;
        this.gateway = gateway;
        this.ike = ike;
        this.udp4500Blocked = udp4500Blocked;
        this.latencyMicros = latencyMicros;
        this.pairedAddress = pairedAddress;
    }

    String name() {
        return "sub" + index;
    }

    boolean natted() {
        return !ipv6;
    }
}
