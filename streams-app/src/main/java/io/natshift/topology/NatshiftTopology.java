package io.natshift.topology;

import java.util.Map;
import java.util.Properties;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

import io.natshift.schemas.JsonRecords;
import io.natshift.schemas.Serdes;
import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.SessionSummary;

/**
 * Builds natshift's topology from a {@link TopologyConfig}: the one builder behind `streams`, `up`,
 * `analyze` and the tests. Node, store and changelog names are fixed here (kebab-case) because
 * state and changelog topics are named after them: renaming one loses state on upgrade.
 *
 * <pre>
 * ike-packets-source -> sa-tracker [sa-state] -> alerts-sink   (natshift.alerts)
 *                                             -> sessions-sink (natshift.sessions)
 * </pre>
 */
public final class NatshiftTopology {
    public static final String SOURCE = "ike-packets-source";
    public static final String SA_TRACKER = "sa-tracker";
    /** Changelog: {application.id}-sa-state-changelog. */
    public static final String SA_STORE = "sa-state";
    public static final String ALERTS_SINK = "alerts-sink";
    public static final String SESSIONS_SINK = "sessions-sink";

    private NatshiftTopology() {
    }

    public static Topology build(TopologyConfig config, TopologyCounters counters) {
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), Serdes.ingestValue().deserializer(), config.inputTopic());
        topology.addProcessor(SA_TRACKER, () -> new SaTracker(config, counters), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(SA_STORE),
                        org.apache.kafka.common.serialization.Serdes.Long(),
                        new SaStateSerde())
                .withCachingEnabled()
                // compacted, so size follows live SAs; old capture timestamps must not be rejected
                .withLoggingEnabled(Map.of("cleanup.policy", "compact",
                        "message.timestamp.type", "CreateTime",
                        "message.timestamp.before.max.ms", String.valueOf(Long.MAX_VALUE))), SA_TRACKER);
        topology.addSink(ALERTS_SINK, config.alertsTopic(), new StringSerializer(), alertSerializer(config), SA_TRACKER);
        topology.addSink(SESSIONS_SINK, config.sessionsTopic(), new StringSerializer(), sessionSerializer(config), SA_TRACKER);
        return topology;
    }

    private static Serializer<SpecificRecord> alertSerializer(TopologyConfig config) {
        if (config.outputFormat() == TopologyConfig.OutputFormat.JSON) {
            return JsonRecords.serializer();
        }
        var serde = Serdes.natShiftAlert();
        return (topic, v) -> v == null ? null : serde.encode((NatShiftAlert) v);
    }

    private static Serializer<SpecificRecord> sessionSerializer(TopologyConfig config) {
        if (config.outputFormat() == TopologyConfig.OutputFormat.JSON) {
            return JsonRecords.serializer();
        }
        var serde = Serdes.sessionSummary();
        return (topic, v) -> v == null ? null : serde.encode((SessionSummary) v);
    }

    /**
     * Kafka Streams settings natshift relies on: exactly_once_v2 unless {@code processing.guarantee}
     * is given, the poison-record handler wired to {@code counters}. {@code overrides} win.
     */
    public static Properties streamsProperties(String applicationId, String bootstrapServers, TopologyCounters counters,
                                               Map<?, ?> overrides) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, PoisonRecordHandler.class);
        p.putAll(overrides);
        p.put(PoisonRecordHandler.COUNTERS_CONFIG, counters);
        return p;
    }
}
