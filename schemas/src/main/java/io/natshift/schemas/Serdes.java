package io.natshift.schemas;

import java.util.List;
import java.util.function.Supplier;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

import io.natshift.schemas.avro.GatewayStats;
import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.NatBinding;
import io.natshift.schemas.avro.PoolStats;
import io.natshift.schemas.avro.SubscriberStats;
import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.SessionSummary;
import io.natshift.schemas.avro.ProbeHeartbeat;

/** Serdes of natshift's record types. Each call returns a new instance: no shared mutable state. */
public final class Serdes {

    private Serdes() {
    }

    /** Schemas IkePacket had before the current one, oldest first (see schemas/README.md). */
    static final List<String> IKE_PACKET_HISTORY = List.of("/io/natshift/schemas/history/IkePacket-v1.avsc");

    /** Avro bytes through a plan made from the schema (FlatRecordCodec); older writers' records through Avro. */
    private static <T extends SpecificRecord> SingleObjectSerde<T> flat(Schema schema, List<String> history, Supplier<T> factory) {
        return new SingleObjectSerde<>(schema, history, FlatRecordCodec.forSchema(schema, factory));
    }

    public static SingleObjectSerde<IkePacket> ikePacket() {
        // the hot record type: a hand-written codec for the current schema, Avro's resolving path for older writers
        return new SingleObjectSerde<>(IkePacket.getClassSchema(), IKE_PACKET_HISTORY, new IkePacketCodec(IkePacket.getClassSchema()));
    }

    /** NatShiftAlert before the subscriber fields (issue 6). */
    static final List<String> NAT_SHIFT_ALERT_HISTORY = List.of("/io/natshift/schemas/history/NatShiftAlert-v1.avsc");

    public static SingleObjectSerde<ProbeHeartbeat> probeHeartbeat() {
        return flat(ProbeHeartbeat.getClassSchema(), List.of(), ProbeHeartbeat::new);
    }

    /** Values of natshift.ike-packets: an {@link IkePacket} or a {@link ProbeHeartbeat}, told apart by fingerprint. */
    public static IngestValueSerde ingestValue() {
        return new IngestValueSerde(ikePacket(), probeHeartbeat());
    }

    public static SingleObjectSerde<NatShiftAlert> natShiftAlert() {
        return flat(NatShiftAlert.getClassSchema(), NAT_SHIFT_ALERT_HISTORY, NatShiftAlert::new);
    }

    public static SingleObjectSerde<SessionSummary> sessionSummary() {
        return flat(SessionSummary.getClassSchema(), List.of(), SessionSummary::new);
    }

    public static SingleObjectSerde<NatBinding> natBinding() {
        return flat(NatBinding.getClassSchema(), List.of(), NatBinding::new);
    }

    public static SingleObjectSerde<PoolStats> poolStats() {
        return flat(PoolStats.getClassSchema(), List.of(), PoolStats::new);
    }

    public static SingleObjectSerde<GatewayStats> gatewayStats() {
        return flat(GatewayStats.getClassSchema(), List.of(), GatewayStats::new);
    }

    public static SingleObjectSerde<SubscriberStats> subscriberStats() {
        return flat(SubscriberStats.getClassSchema(), List.of(), SubscriberStats::new);
    }
}
