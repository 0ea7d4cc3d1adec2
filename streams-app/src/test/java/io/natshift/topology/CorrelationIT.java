package io.natshift.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.natshift.capture.CaptureFiles;
import io.natshift.capture.CaptureReader;
import io.natshift.decode.FrameDecoder;
import io.natshift.publish.ProducerSettings;
import io.natshift.kafka.LocalKafka;
import io.natshift.publish.Probe;
import io.natshift.publish.TopicSetup;
import io.natshift.publish.Vantage;
import io.natshift.schemas.Serdes;
import io.natshift.schemas.Topic;
import io.natshift.schemas.Topics;
import io.natshift.schemas.avro.NatBinding;
import io.natshift.schemas.avro.PoolStats;
import io.natshift.schemas.avro.ProbeHeartbeat;
import io.natshift.synth.SynthGenerator;
import io.natshift.synth.SynthOptions;
import io.natshift.topology.correlation.CorrelationConfig;

/**
 * A generated two-vantage capture (inside and outside probes) of 5,000 subscribers over four
 * synth pools, replayed onto Apache Kafka's own broker and analysed by the real topology: pool
 * verdicts, per-pool float and shift counts and binding counts exactly as the generator's truth.
 * Synth pools are either arbitrary or paired; the operator's pools file declares a third, mixed
 * pool spanning one arbitrary and one paired synth pool.
 */
class CorrelationIT {
    private static final int PARTITIONS = 2;
    static LocalKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() {
        kafka = LocalKafka.start(Map.of());
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @Timeout(600)
    void shouldJudgeEveryPoolAndCountBindingsExactlyAsGenerated() throws Exception {
        SynthOptions options = SynthOptions.builder().subscribers(5_000).pools(4).arbitraryPoolFraction(0.5)
                .vantage(SynthOptions.Vantage.BOTH).seed(6).loss(0).udp4500BlockedFraction(0).overloadedGatewayFraction(0)
                .addressUpdateFraction(0).malformedFraction(0).espPacketsPerSecond(0).build();
        Path out = dir.resolve("pools.pcap");
        new SynthGenerator(options).generate(out, n -> { });
        SynthGenerator.Files4 files = SynthGenerator.files(out, SynthOptions.Vantage.BOTH);
        JsonNode truth = new ObjectMapper().readTree(files.truth().toFile());

        // the operator's pools file: one arbitrary and one paired synth pool alone, the other two as one mixed pool
        List<JsonNode> arbitrary = new ArrayList<>();
        List<JsonNode> paired = new ArrayList<>();
        for (JsonNode pool : truth.get("pools")) {
            (pool.get("pooling").asText().equals("arbitrary") ? arbitrary : paired).add(pool);
        }
        assertThat(arbitrary).hasSize(2);
        assertThat(paired).hasSize(2);
        Map<String, List<JsonNode>> declared = Map.of("cgn/arbitrary", List.of(arbitrary.get(0)), "cgn/paired", List.of(paired.get(0)),
                "cgn/mixed", List.of(arbitrary.get(1), paired.get(1)));
        StringBuilder poolsFile = new StringBuilder();
        declared.forEach((name, pools) -> {
            List<String> cidrs = new ArrayList<>();
            pools.forEach(p -> p.get("addresses").forEach(a -> cidrs.add(a.asText() + (a.asText().contains(":") ? "/128" : "/32"))));
            poolsFile.append(name).append(" = ").append(String.join(", ", cidrs)).append('\n');
        });
        Path poolsPath = dir.resolve("pools.conf");
        Files.writeString(poolsPath, poolsFile);

        String prefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        Topic<byte[], SpecificRecord> input = Topics.IKE_PACKETS.withPrefix(prefix);
        List<Topic<?, ?>> topics = new ArrayList<>();
        Topics.all().forEach(t -> topics.add(t.withPrefix(prefix)));
        try (var admin = kafka.admin()) {
            TopicSetup.create(admin, topics, PARTITIONS, Optional.of((short) 1));
        }
        // both probes' packets interleaved by capture time, as two live probes would publish them
        replayInTimeOrder(input, files.outside(), files.inside());

        Map<String, String> settings = Map.of("natshift.topic.prefix", prefix, "natshift.pools.file", poolsPath.toString());
        TopologyConfig config = TopologyConfig.from(settings);
        long end = (options.startMicros() + options.durationMicros()) / 1000 + Duration.ofMinutes(10).toMillis();
        drain(input.name(), end + config.drainAfter().toMillis());

        TopologyCounters counters = new TopologyCounters();
        Properties props = NatshiftTopology.streamsProperties(prefix + "app", kafka.bootstrapServers(), counters,
                Map.of(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString(), StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200"));
        Map<String, PoolStats> totals = new HashMap<>();
        Map<String, NatBinding> bindings;
        try (KafkaStreams streams = new KafkaStreams(NatshiftTopology.build(config, CorrelationConfig.from(settings), counters), props)) {
            streams.start();
            long expectedFloats = 0;
            for (JsonNode pool : truth.get("pools")) {
                expectedFloats += pool.get("floats").asLong();
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(8).toNanos();
            long seen = -1;
            int stable = 0;
            while (stable < 3 && System.nanoTime() < deadline) {   // done when the totals reached the truth and stopped moving
                Thread.sleep(2_000);
                totals.clear();
                for (PoolStats p : readLatest(prefix + Topics.POOL_STATS.name(), Serdes.poolStats().deserializer()).values()) {
                    if (p.getWindow().equals("total")) {
                        totals.put(p.getPool(), p);
                    }
                }
                long now = totals.values().stream().mapToLong(PoolStats::getFloats).sum();
                stable = now == seen && now >= expectedFloats * 99 / 100 ? stable + 1 : 0;
                seen = now;
            }
            bindings = readLatest(prefix + Topics.NAT_BINDINGS.name(), Serdes.natBinding().deserializer());
        }

        // The NAT may give a subscriber's UDP 500 flow the public source port 4500: the decoder tells that
        // leg's plain IKE from NAT-T by the non-ESP marker, so such SAs are judged like every other.
        assertThat(totals).containsOnlyKeys(declared.keySet());
        declared.forEach((name, pools) -> {
            long floats = pools.stream().mapToLong(p -> p.get("floats").asLong()).sum();
            long shifts = pools.stream().mapToLong(p -> p.get("shifts").asLong()).sum();
            PoolStats got = totals.get(name);
            assertThat(got.getFloats()).as(name + " floats").isEqualTo(floats);
            assertThat(got.getShifts()).as(name + " shifts").isEqualTo(shifts);
            assertThat(got.getPairedFloats()).as(name + " paired floats").isEqualTo(floats - shifts);
        });
        assertThat(totals.get("cgn/arbitrary").getVerdict()).isEqualTo("arbitrary");
        assertThat(totals.get("cgn/paired").getVerdict()).isEqualTo("paired");
        assertThat(totals.get("cgn/mixed").getVerdict()).isEqualTo("arbitrary");

        Set<String> attempts = new HashSet<>();
        for (JsonNode s : truth.get("subscribers")) {
            for (JsonNode a : s.get("attempts")) {
                attempts.add(a.get("initiatorSpi").asText() + "-" + a.get("responderSpi").asText());
            }
        }
        assertThat(bindings.keySet()).isEqualTo(attempts);
        // Every attempt was seen by both probes: its last (compacted) binding joins both vantages' UDP 500 legs.
        // A later summary of the same SA id (trailing packets after the tracker forgot it) must not replace it.
        List<String> notJoined = bindings.values().stream().filter(b -> b.getInside500() == null || b.getPublic500() == null)
                .map(NatBinding::getSaId).toList();
        System.err.println("CorrelationIT: " + counters);
        assertThat(notJoined).isEmpty();
        assertThat(counters.correlation.resummarised()).isZero();
        long shifted = bindings.values().stream().filter(NatBinding::getNatShift).count();
        assertThat(shifted).isEqualTo(truth.get("totals").get("shifts").asLong());
        System.err.println("CorrelationIT: " + attempts.size() + " SA attempts, pools " + totals);
        assertThat(counters.poisonRecords()).isZero();
    }

    private void replayInTimeOrder(Topic<byte[], SpecificRecord> topic, Path outside, Path inside) throws Exception {
        // One producer for both captures, as two probes' records would be interleaved by capture time.
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                ProducerSettings.transactional(kafka.bootstrapServers(), "it", ProducerSettings.transactionalId("it", "correlation")),
                new ByteArraySerializer(), new ByteArraySerializer());
             CaptureReader out = CaptureFiles.open(outside);
             CaptureReader in = CaptureFiles.open(inside)) {
            Probe probe = new Probe(producer, topic, PARTITIONS, new Probe.Settings("it", Vantage.UNKNOWN, 0), new FrameDecoder());
            probe.start();
            boolean moreOut = out.next();
            boolean moreIn = in.next();
            while (moreOut || moreIn) {
                if (moreOut && (!moreIn || out.timestampMicros() <= in.timestampMicros())) {
                    probe.accept(out, "outside-probe", Vantage.OUTSIDE);
                    moreOut = out.next();
                } else {
                    probe.accept(in, "inside-probe", Vantage.INSIDE);
                    moreIn = in.next();
                }
            }
            probe.finish();
            assertThat(probe.failure()).isNull();
        }
    }

    /** End of input: a heartbeat on every partition far enough ahead for every SA to be summarised. */
    private void drain(String topic, long at) throws Exception {
        Properties p = kafka.clientProperties();
        try (KafkaProducer<byte[], SpecificRecord> producer = new KafkaProducer<>(p, new ByteArraySerializer(), Serdes.ingestValue().serializer())) {
            for (int partition = 0; partition < PARTITIONS; partition++) {
                ProbeHeartbeat tick = ProbeHeartbeat.newBuilder().setProbeId("it").setSource("end").setVantage("outside")
                        .setTimestampMicros(Instant.ofEpochMilli(at)).build();
                producer.send(new ProducerRecord<>(topic, partition, at, null, tick)).get();
            }
        }
    }

    private <V> Map<String, V> readLatest(String topic, Deserializer<V> values) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, V> latest = new HashMap<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(p, new StringDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
                    latest.put(r.key(), r.value());
                }
            }
        }
        return latest;
    }

    @SuppressWarnings("unused")
    private static byte[] key(long spi) {
        return ByteBuffer.allocate(8).putLong(spi).array();
    }
}
