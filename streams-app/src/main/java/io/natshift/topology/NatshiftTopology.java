package io.natshift.topology;

import java.util.Map;
import java.util.Properties;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

import io.natshift.schemas.JsonRecords;
import io.natshift.schemas.Serdes;
import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.SessionSummary;
import io.natshift.topology.correlation.CorrelationConfig;
import io.natshift.topology.correlation.Pseudonymizer;
import io.natshift.topology.correlation.StatsTopology;

/**
 * Builds natshift's topology from a {@link TopologyConfig}: the one builder behind `streams`, `up`,
 * `analyze` and the tests. Node, store and changelog names are fixed here (kebab-case) because
 * state and changelog topics are named after them: renaming one loses state on upgrade.
 *
 * <pre>
 * ike-packets-source -> sa-tracker [sa-state] -> alerts-sink   (natshift.alerts)
 *                                             -> sessions-sink (natshift.sessions)
 *                                             -> sa-facts      (NAT bindings and statistics: StatsTopology)
 * </pre>
 */
public final class NatshiftTopology {
    public static final String SOURCE = "ike-packets-source";
    public static final String SA_TRACKER = "sa-tracker";
    /** Changelog: {application.id}-sa-state-changelog. */
    public static final String SA_STORE = "sa-state";
    public static final String ALERTS_SINK = "alerts-sink";
    public static final String SESSIONS_SINK = "sessions-sink";
    /** The sa-tracker's child receiving one NatBinding per summarised attempt (see StatsTopology). */
    static final String SA_FACTS = StatsTopology.SA_FACTS;

    private NatshiftTopology() {
    }

    public static Topology build(TopologyConfig config, TopologyCounters counters) {
        return build(config, CorrelationConfig.beside(config.alertsTopic()), counters);
    }

    public static Topology build(TopologyConfig config, CorrelationConfig correlation, TopologyCounters counters) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(SaStateStore.builder(SA_STORE, config.stateObjectCache(), config.statePackedBytes(), Changelogs.KEY_VALUE));
        KStream<byte[], SpecificRecord> packets = builder.stream(config.inputTopic(),
                Consumed.with(org.apache.kafka.common.serialization.Serdes.ByteArray(), (Serde<SpecificRecord>) Serdes.ingestValue())
                        .withName(SOURCE));
        KStream<String, SpecificRecord> tracked = packets.process(() -> new SaTracker(config, counters), Named.as(SA_TRACKER), SA_STORE);
        Pseudonymizer privacy = correlation.privacy();
        var strings = org.apache.kafka.common.serialization.Serdes.String();
        tracked.to(config.alertsTopic(), Produced.with(strings, outputSerde(alertSerializer(config, privacy))).withName(ALERTS_SINK));
        tracked.to(config.sessionsTopic(), Produced.with(strings, outputSerde(sessionSerializer(config, privacy))).withName(SESSIONS_SINK));
        boolean json = config.outputFormat() == TopologyConfig.OutputFormat.JSON;
        StatsTopology.build(builder, tracked, json, correlation, counters.correlation);
        return builder.build();
    }

    private static Serde<SpecificRecord> outputSerde(Serializer<SpecificRecord> serializer) {
        return org.apache.kafka.common.serialization.Serdes.serdeFrom(serializer, Serdes.ingestValue().deserializer());
    }

    private static Serializer<SpecificRecord> alertSerializer(TopologyConfig config, Pseudonymizer privacy) {
        Serializer<SpecificRecord> json = JsonRecords.serializer();
        var serde = Serdes.natShiftAlert();
        boolean isJson = config.outputFormat() == TopologyConfig.OutputFormat.JSON;
        return (topic, v) -> {
            if (v == null) {
                return null;
            }
            NatShiftAlert a = privacy.alert((NatShiftAlert) v);
            return isJson ? json.serialize(topic, a) : serde.encode(a);
        };
    }

    private static Serializer<SpecificRecord> sessionSerializer(TopologyConfig config, Pseudonymizer privacy) {
        Serializer<SpecificRecord> json = JsonRecords.serializer();
        var serde = Serdes.sessionSummary();
        boolean isJson = config.outputFormat() == TopologyConfig.OutputFormat.JSON;
        return (topic, v) -> {
            if (v == null) {
                return null;
            }
            SessionSummary s = privacy.session((SessionSummary) v);
            return isJson ? json.serialize(topic, s) : serde.encode(s);
        };
    }

    /**
     * natshift's own settings on top of Kafka Streams' defaults, overridable like any other
     * (docs/topology.md, Tuning; measurements in docs/perf-topology.md, sessions 6 and 7):
     * <ul>
     * <li>RocksDB: {@link StoreTuning}.</li>
     * <li>Producer: lz4, because changelogs and outputs repeat addresses, SPIs and field names; batches
     * of up to 256 KiB, fewer for the broker to validate and append; sent after 5 ms instead of
     * Kafka Streams' 100 ms, so the broker appends them while the stream thread goes on processing,
     * instead of all at once while the thread waits in the commit's flush.</li>
     * <li>Start-up: a first start creates some twenty internal topics; Kafka Streams checks them and
     * retries every {@code retry.backoff.ms} (100 ms; the clients' exponential backoff starts there
     * too), and the restore consumer waited up to {@code fetch.max.wait.ms} (500 ms) on empty
     * changelogs: together about two seconds of every first start and of every analyze run.</li>
     * </ul>
     */
    public static final Map<String, Object> TUNING = Map.of(
            StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, StoreTuning.class,
            StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4",
            StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024,
            StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5,
            StreamsConfig.RETRY_BACKOFF_MS_CONFIG, 20L,
            StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 50);

    /**
     * Kafka Streams settings natshift relies on: exactly_once_v2 unless {@code processing.guarantee}
     * is given, the poison-record handler wired to {@code counters}, {@link #TUNING}. {@code overrides} win.
     */
    public static Properties streamsProperties(String applicationId, String bootstrapServers, TopologyCounters counters,
                                               Map<?, ?> overrides) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, PoisonRecordHandler.class);
        p.putAll(TUNING);
        p.putAll(overrides);
        p.put(PoisonRecordHandler.COUNTERS_CONFIG, counters);
        return p;
    }
}
