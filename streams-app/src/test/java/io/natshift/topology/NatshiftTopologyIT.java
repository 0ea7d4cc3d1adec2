package io.natshift.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.natshift.kafka.LocalKafka;
import io.natshift.publish.IkeRecords;
import io.natshift.schemas.IngestValueSerde;
import io.natshift.schemas.Serdes;
import io.natshift.schemas.Topics;
import io.natshift.schemas.avro.GatewayStats;
import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.PoolStats;
import io.natshift.schemas.avro.ProbeHeartbeat;
import io.natshift.schemas.avro.SessionSummary;
import io.natshift.topology.correlation.CorrelationConfig;

/** The topology under exactly_once_v2 on Apache Kafka's own broker (one per class), unique topics and app ids per test. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NatshiftTopologyIT {
    private static LocalKafka kafka;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startBroker() {
        kafka = LocalKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private record Input(byte[] key, SpecificRecord value, long timestamp) {
    }

    @Test
    void shouldAlertOnlyTheIncidentSaWhenItsCaptureIsReplayedBesidePairedSubscribers() throws Exception {
        String prefix = "it-" + UUID.randomUUID() + ".";
        TopologyConfig config = TopologyConfig.from(Map.of("natshift.topic.prefix", prefix));
        createTopics(config, 4);

        List<Input> input = new ArrayList<>();
        for (IkePacket p : CaptureRecords.read(CaptureRecords.sample("incident-gateway-side.pcap"), "gw-probe", "gateway")) {
            input.add(new Input(p.getInitiatorSpi().bytes(), p, IkeRecords.epochMicros(p.getTimestampMicros()) / 1000));
        }
        long t0 = input.get(0).timestamp();
        for (int i = 0; i < 500; i++) {
            // paired NAT: the float keeps the address, changes the port
            String addr = "100.64." + (3 + i / 250) + "." + (i % 250);
            for (Pkt p : Scenarios.aggressiveSubscriber(0x7000_0000L + i, 0x8000_0000L + i, t0 + i * 20L, addr, 20000 + i, addr,
                    30000 + i, "172.31.1.76")) {
                input.add(new Input(p.key(), p.build(), p.millis()));
            }
        }
        input.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
        produce(config, input, 4, true);

        String appId = "it-incident-" + UUID.randomUUID();
        try (KafkaStreams streams = streams(appId, config, stateDir.resolve("a"))) {
            streams.start();
            Map<String, List<NatShiftAlert>> alerts = readAlerts(config, 1);
            Map<String, SessionSummary> sessions = readSessions(config, 503);

            assertThat(alerts).containsOnlyKeys(Scenarios.SHIFTED_SA);
            // compaction may already have removed the pending record the failed one replaces
            assertThat(alerts.get(Scenarios.SHIFTED_SA)).extracting(NatShiftAlert::getOutcome).isSubsetOf("pending", "failed").endsWith("failed");
            assertThat(latest(alerts).get(Scenarios.SHIFTED_SA).getLastEvidenceFrame()).isEqualTo(30);
            assertThat(sessions).hasSize(503);
            assertThat(sessions.get(Scenarios.SHIFTED_SA).getCause()).isEqualTo("nat-shift");
            assertThat(sessions.values().stream().filter(s -> s.getOutcome().equals("established")).count()).isEqualTo(500);
            assertThat(sessions.values().stream().filter(SessionSummary::getNatShift).count()).isEqualTo(1);
        }
    }

    @Test
    void shouldGiveIdenticalOutputWhenRestartedInTheMiddleWithOrWithoutItsStateDirectoryAndWithOneOrEightPartitions() throws Exception {
        List<Input> input = mixedTraffic();

        // reference: one partition, one uninterrupted run
        String prefixA = "it-" + UUID.randomUUID() + ".";
        TopologyConfig a = TopologyConfig.from(Map.of("natshift.topic.prefix", prefixA));
        createTopics(a, 1);
        produce(a, input, 1, true);
        Map<String, List<NatShiftAlert>> alertsA;
        Map<String, SessionSummary> sessionsA;
        Map<String, GatewayStats> gatewayA;
        Map<String, PoolStats> poolsA;
        try (KafkaStreams streams = streams("it-ref-" + UUID.randomUUID(), a, stateDir.resolve("ref"))) {
            streams.start();
            alertsA = readAlerts(a, expectedAlertedSas);
            sessionsA = readSessions(a, expectedSessions);
            gatewayA = readGatewayStats(a, expectedSessions);
            poolsA = readPoolStats(a, expectedFloats);
        }

        // eight partitions, stopped after three quarters of the input, state directory lost, restored from the changelog
        Run b = stoppedInTheMiddle(input, "restart", stateDir.resolve("first"), stateDir.resolve("second"), StreamsConfig.EXACTLY_ONCE_V2);
        // natshift.alerts is compacted: the latest alert of every SA is the contract (the pending
        // record a later outcome replaces may already be compacted away, in either run)
        assertThat(latest(b.alerts())).isEqualTo(latest(alertsA));
        assertThat(b.sessions()).isEqualTo(sessionsA);
        // and nothing the restarted run wrote is a second pending or a second outcome of one SA
        assertThat(b.alerts().values()).allSatisfy(list -> assertThat(list.size()).isBetween(1, 2));
        // the statistics partials the tracker tasks held at the stop came back from their changelog
        assertThat(b.gateways()).isEqualTo(gatewayA);
        assertThat(b.pools()).isEqualTo(poolsA);

        // the same under at-least-once, restarted on its own state directory: what the first run
        // checkpointed in RocksDB, plus the changelog after the offset recorded with it (sa-state writes
        // RocksDB only at checkpoints; exactly-once restores such a directory from the changelog anyway)
        Run c = stoppedInTheMiddle(input, "resume", stateDir.resolve("own"), stateDir.resolve("own"), StreamsConfig.AT_LEAST_ONCE);
        assertThat(latest(c.alerts())).isEqualTo(latest(alertsA));
        assertThat(c.sessions()).isEqualTo(sessionsA);
        assertThat(c.gateways()).isEqualTo(gatewayA);
        assertThat(c.pools()).isEqualTo(poolsA);

        assertThat(alertsA.values()).allSatisfy(list -> assertThat(list.size()).isBetween(1, 2));
        assertThat(latest(alertsA).values().stream().filter(x -> x.getOutcome().equals("recovered")).count()).isEqualTo(100);
        assertThat(latest(alertsA).values().stream().filter(x -> x.getOutcome().equals("failed")).count()).isEqualTo(100);
    }

    private record Run(Map<String, List<NatShiftAlert>> alerts, Map<String, SessionSummary> sessions,
                       Map<String, GatewayStats> gateways, Map<String, PoolStats> pools) {
    }

    /**
     * Eight partitions; the app stops once it has committed the first three quarters and starts again on
     * {@code second}, cleanly. By then alerts are pending, SAs open, and statistics partials held in
     * stats-partials (their minute is not over). Unlike the reference run, each task keeps 10 SA states
     * as objects and about 25 packed: the rest of its ~50 go to RocksDB, dirty ones to the changelog
     * early, between commits (SaStateStore).
     */
    private Run stoppedInTheMiddle(List<Input> input, String name, Path first, Path second, String guarantee) throws Exception {
        TopologyConfig config = TopologyConfig.from(Map.of("natshift.topic.prefix", "it-" + UUID.randomUUID() + ".",
                "natshift.state.object.cache", "10", "natshift.state.packed.bytes", "8192"));
        createTopics(config, 8);
        String appId = "it-" + name + "-" + UUID.randomUUID();
        int stopAt = input.size() * 3 / 4;
        produce(config, input.subList(0, stopAt), 8, false);
        try (KafkaStreams streams = streams(appId, config, first, guarantee)) {
            streams.start();
            awaitCommitted(appId, stopAt);
        }
        assertThat(heldPartials(appId)).as("statistics partials held at the stop").isPositive();
        assertNoChangelogDeletesByTime(appId);
        produce(config, input.subList(stopAt, input.size()), 8, true);
        try (KafkaStreams streams = streams(appId, config, second, guarantee)) {
            streams.start();
            return new Run(readAlerts(config, expectedAlertedSas), readSessions(config, expectedSessions),
                    readGatewayStats(config, expectedSessions), readPoolStats(config, expectedFloats));
        }
    }

    private int expectedAlertedSas;
    private int expectedSessions;
    private int expectedFloats;

    /** 300 IKEv1 subscribers (every third shifted) and 100 IKEv2 ones that shift and recover, over about a minute. */
    private List<Input> mixedTraffic() {
        List<Input> input = new ArrayList<>();
        long t0 = 1_700_000_000_000L;
        for (int i = 0; i < 300; i++) {
            String beforeAddr = "100.64." + (7 + i / 250) + "." + (i % 250);
            String after = i % 3 == 0 ? "198.18." + (7 + i / 250) + "." + (i % 250) : beforeAddr;
            for (Pkt p : Scenarios.aggressiveSubscriber(0x1000_0000L + i, 0x2000_0000L + i, t0 + i * 200L, beforeAddr, 20000 + i, after,
                    30000 + i, "172.31.1.76")) {
                input.add(new Input(p.key(), p.build(), p.millis()));
            }
        }
        for (int i = 0; i < 100; i++) {
            for (Pkt p : Scenarios.ikev2(0x3000_0000L + i, 0x4000_0000L + i, t0 + 100 + i * 550L, "100.64.9." + i, "198.18.9." + i)) {
                input.add(new Input(p.key(), p.build(), p.millis()));
            }
        }
        input.sort((x, y) -> Long.compare(x.timestamp(), y.timestamp()));
        expectedAlertedSas = 100 + 100;
        expectedSessions = 400;
        expectedFloats = 400;
        return input;
    }

    private void createTopics(TopologyConfig config, int inputPartitions) throws Exception {
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(
                    new NewTopic(config.inputTopic(), inputPartitions, (short) 1).configs(Topics.IKE_PACKETS.config()),
                    new NewTopic(config.alertsTopic(), 1, (short) 1).configs(Topics.ALERTS.config()),
                    new NewTopic(config.sessionsTopic(), 1, (short) 1).configs(Topics.SESSIONS.config())))
                    .all().get(60, TimeUnit.SECONDS);
            // the bindings and statistics outputs the topology also writes (issue 6)
            admin.createTopics(io.natshift.topology.correlation.CorrelationConfig.outputTopicsBeside(config.alertsTopic()).stream()
                    .map(t -> new NewTopic(t, 1, (short) 1)).toList()).all().get(60, TimeUnit.SECONDS);
            // produce only once every partition has a leader: a producer racing the new topic's
            // metadata was seen stuck retrying OUT_OF_ORDER_SEQUENCE_NUMBER on a loaded machine
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                var description = admin.describeTopics(List.of(config.inputTopic())).allTopicNames().get().get(config.inputTopic());
                if (description.partitions().size() == inputPartitions
                        && description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no leader for every partition of " + config.inputTopic());
                }
                Thread.sleep(100);
            }
        }
    }

    /** Produces in timestamp order; with {@code drain}, ends with a heartbeat per partition past every timeout. */
    private void produce(TopologyConfig config, List<Input> input, int partitions, boolean drain) {
        IngestValueSerde serde = Serdes.ingestValue();
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // ordered without producer sequence numbers: an idempotent producer writing to partitions whose
        // leadership was still settling (NOT_LEADER_OR_FOLLOWER) was seen looping on OUT_OF_ORDER_SEQUENCE_NUMBER
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            long last = 0;
            for (Input in : input) {
                producer.send(new ProducerRecord<>(config.inputTopic(), null, in.timestamp(), in.key(), serde.encode(in.value())));
                last = Math.max(last, in.timestamp());
            }
            if (drain) {
                long end = last + config.drainAfter().toMillis();
                for (int partition = 0; partition < partitions; partition++) {
                    ProbeHeartbeat hb = ProbeHeartbeat.newBuilder().setProbeId("it").setSource("it").setVantage("gateway")
                            .setTimestampMicros(Instant.ofEpochMilli(end)).build();
                    producer.send(new ProducerRecord<>(config.inputTopic(), partition, end, null, serde.encode(hb)));
                }
            }
            producer.flush();
        }
    }

    private KafkaStreams streams(String appId, TopologyConfig config, Path dir) {
        return streams(appId, config, dir, StreamsConfig.EXACTLY_ONCE_V2);
    }

    private KafkaStreams streams(String appId, TopologyConfig config, Path dir, String guarantee) {
        TopologyCounters counters = new TopologyCounters();
        Properties props = NatshiftTopology.streamsProperties(appId, kafka.bootstrapServers(), counters, Map.of(
                StreamsConfig.STATE_DIR_CONFIG, dir.toString(),
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee,
                StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest",
                // Streams does not leave the group on close: the restarted instance waits until the
                // stopped one's session expires. Keep that short here, as a deployment would not.
                StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000,
                StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1500,
                StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2));
        // statistics windows as analyze runs them (a replay's partitions may be far apart in stream time:
        // the drain heartbeat of one reaches the windows before another's last facts), so that they
        // depend on the input alone, not on how the partitions were interleaved
        CorrelationConfig correlation = CorrelationConfig.beside(config.alertsTopic(),
                Map.of("natshift.stats.skew.ms", String.valueOf(Duration.ofDays(1).toMillis())));
        return new KafkaStreams(NatshiftTopology.build(config, correlation, counters), props);
    }

    private void awaitCommitted(String appId, long records) throws Exception {
        try (Admin admin = kafka.admin()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
                long committed = offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
                if (committed >= records) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new AssertionError(appId + " did not commit " + records + " records in time");
        }
    }

    /**
     * A replay's records carry old timestamps: a changelog the broker may clean by time (Kafka Streams'
     * default for window stores) loses them within seconds, and the next restore with them.
     */
    private void assertNoChangelogDeletesByTime(String appId) throws Exception {
        try (Admin admin = kafka.admin()) {
            List<String> changelogs = admin.listTopics().names().get(60, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(appId) && t.endsWith("-changelog")).toList();
            assertThat(changelogs).hasSizeGreaterThanOrEqualTo(10);
            var configs = admin.describeConfigs(changelogs.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList())
                    .all().get(60, TimeUnit.SECONDS);
            configs.forEach((topic, config) -> {
                String policy = config.get("cleanup.policy").value();
                String retention = config.get("retention.ms").value();
                assertThat(policy.equals("compact") || retention.equals("-1"))
                        .as("%s: cleanup.policy=%s retention.ms=%s", topic.name(), policy, retention).isTrue();
            });
        }
    }

    /** Entries left in the changelog of the tracker tasks' held statistics partials (latest value per key not deleted). */
    private long heldPartials(String appId) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        String topic = appId + "-stats-partials-changelog";
        Map<String, Boolean> live = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    live.put(r.key(), r.value() != null);
                }
            }
        }
        return live.values().stream().filter(b -> b).count();
    }

    /** Reads alerts until {@code alertedSas} SAs have a decided outcome (failed or recovered). */
    private Map<String, List<NatShiftAlert>> readAlerts(TopologyConfig config, int alertedSas) {
        Map<String, List<NatShiftAlert>> byKey = new LinkedHashMap<>();
        int[] decided = {0};
        read(config.alertsTopic(), Serdes.natShiftAlert().deserializer(), () -> decided[0] >= alertedSas, (key, value) -> {
            List<NatShiftAlert> list = byKey.computeIfAbsent(key, k -> new ArrayList<>());
            boolean wasDecided = !list.isEmpty() && !list.get(list.size() - 1).getOutcome().equals("pending");
            list.add(value);
            if (!wasDecided && !value.getOutcome().equals("pending")) {
                decided[0]++;
            }
        });
        assertThat(decided[0]).as("alerted SAs with an outcome on %s", config.alertsTopic()).isEqualTo(alertedSas);
        return byKey;
    }

    /** The compacted view: the latest alert of every SA. */
    private static Map<String, NatShiftAlert> latest(Map<String, List<NatShiftAlert>> history) {
        Map<String, NatShiftAlert> out = new LinkedHashMap<>();
        history.forEach((k, list) -> out.put(k, list.get(list.size() - 1)));
        return out;
    }

    /** The latest record of every gateway window, read until the hour windows count {@code attempts}. */
    private Map<String, GatewayStats> readGatewayStats(TopologyConfig config, int attempts) {
        return readStats(CorrelationConfig.beside(config.alertsTopic()).gatewayStatsTopic(), Serdes.gatewayStats().deserializer(),
                g -> g.getWindow().equals("1h") ? g.getAttempts() : 0, attempts);
    }

    /** The latest record of every pool window, read until the pools' totals count {@code floats}. */
    private Map<String, PoolStats> readPoolStats(TopologyConfig config, int floats) {
        return readStats(CorrelationConfig.beside(config.alertsTopic()).poolStatsTopic(), Serdes.poolStats().deserializer(),
                p -> p.getWindow().equals("total") ? p.getFloats() : 0, floats);
    }

    /** The latest record per key of a statistics topic, read until {@code count} over them adds up to {@code expected}. */
    private <V> Map<String, V> readStats(String topic, Deserializer<V> values, java.util.function.ToLongFunction<V> count, long expected) {
        Map<String, V> byKey = new LinkedHashMap<>();
        java.util.function.LongSupplier counted = () -> byKey.values().stream().mapToLong(count).sum();
        read(topic, values, () -> counted.getAsLong() >= expected, byKey::put);
        assertThat(counted.getAsLong()).as("count in the latest records of %s", topic).isEqualTo(expected);
        return byKey;
    }

    private Map<String, SessionSummary> readSessions(TopologyConfig config, int expected) {
        Map<String, SessionSummary> byKey = new LinkedHashMap<>();
        read(config.sessionsTopic(), Serdes.sessionSummary().deserializer(), () -> byKey.size() >= expected, (key, value) -> {
            SessionSummary previous = byKey.put(key, value);
            assertThat(previous).as("second session summary for %s", key).isNull();
        });
        assertThat(byKey).as("sessions on %s", config.sessionsTopic()).hasSize(expected);
        return byKey;
    }

    /** Reads committed records until {@code done}, then 3 s more to catch any extra (duplicates); the caller asserts. */
    private <V> void read(String topic, Deserializer<V> values, java.util.function.BooleanSupplier done,
                          java.util.function.BiConsumer<String, V> sink) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Supplier<Long> now = System::nanoTime;
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(p, new StringDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            long deadline = now.get() + TimeUnit.SECONDS.toNanos(150);
            long quietUntil = Long.MAX_VALUE;
            while (now.get() < Math.min(deadline, quietUntil)) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    sink.accept(r.key(), r.value());
                }
                if (done.getAsBoolean() && quietUntil == Long.MAX_VALUE) {
                    quietUntil = now.get() + TimeUnit.SECONDS.toNanos(3);
                }
            }
        }
    }
}
