package io.natshift.schemas;

import java.util.List;

import io.natshift.schemas.avro.IkePacket;

/** Serdes of natshift's record types. Each call returns a new instance: no shared mutable state. */
public final class Serdes {

    private Serdes() {
    }

    /** Schemas IkePacket had before the current one, oldest first (see schemas/README.md). */
    static final List<String> IKE_PACKET_HISTORY = List.of();

    public static SingleObjectSerde<IkePacket> ikePacket() {
        return new SingleObjectSerde<>(IkePacket.getClassSchema(), IKE_PACKET_HISTORY);
    }
}
