package io.natshift.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.natshift.capture.CaptureFiles;
import io.natshift.capture.CaptureOpener;
import io.natshift.capture.CaptureReader;
import io.natshift.decode.FrameDecoder;
import io.natshift.decode.IkeMessage;
import io.natshift.kafka.LocalKafka;
import io.natshift.schemas.Topic;
import io.natshift.schemas.Topics;
import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.ProbeHeartbeat;

/** Replay onto Apache Kafka's own broker (LocalKafka), read back as a downstream consumer would. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReplayIT {
    // retention is checked every 200 ms here (default 5 min) so the year-old test sees deletion quickly
    static LocalKafka kafka;
    static final CaptureOpener OPENER = CaptureFiles::open;
    @TempDir
    Path tmp;

    @BeforeAll
    static void startBroker() {
        kafka = LocalKafka.start(Map.of("log.retention.check.interval.ms", "200"));
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The repository root: tests run with the module directory as working directory. */
    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("local-kafka"))) {
                return p;
            }
        }
        throw new IllegalStateException("not inside the natshift repository: " + Path.of("").toAbsolutePath());
    }

    /** {@code <repo root>/../shared}, or the system property natshift.shared.dir. */
    static Path sharedDir() {
        return io.natshift.testing.SharedFolder.dir();
    }

    private Topic<byte[], SpecificRecord> newTopic(String name, int partitions) throws Exception {
        Topic<byte[], SpecificRecord> topic = Topics.IKE_PACKETS.withPrefix(name + "-");
        try (Admin admin = kafka.admin()) {
            TopicSetup.create(admin, List.of(topic), partitions, Optional.of((short) 1));
        }
        return topic;
    }

    private Replay replay(Topic<byte[], SpecificRecord> topic, String probeId, Vantage vantage, long heartbeatMicros) {
        return new Replay(kafka.bootstrapServers(), new Probe.Settings(probeId, vantage, heartbeatMicros), Pacer.MAX, OPENER, topic, p -> p);
    }

    /** What decode says about the same file, mapped as the probe maps it. */
    private static List<IkePacket> decodeExpected(Path file, String probeId, Vantage vantage) throws IOException {
        List<IkePacket> expected = new ArrayList<>();
        FrameDecoder decoder = new FrameDecoder();
        try (CaptureReader r = OPENER.open(file)) {
            while (r.next()) {
                if (decoder.decode(r.buffer(), r.offset(), r.length(), r.linkType()) instanceof IkeMessage m) {
                    IkePacket p = IkeRecords.toAvro(m, probeId, r.source(), r.frameNumber(), r.timestampMicros());
                    p.setVantage(vantage.text());
                    expected.add(p);
                }
            }
        }
        return expected;
    }

    @Test
    void shouldPublishEveryIkePacketOfThirdPartyAndGeneratedCapturesAsDecodeSeesIt() throws Exception {
        Path thirdParty = sharedDir().resolve("captures/thirdparty/tcpdump__isakmp4500.pcap");
        Path thirdPartyNg = sharedDir().resolve("captures/thirdparty/packetgen__ikev2.pcapng");
        Path incident = repoRoot().resolve("samples/incident-gateway-side.pcap");
        assertThat(thirdParty).as("third-party capture (override with -Dnatshift.shared.dir)").exists();
        Path generated = tmp.resolve("generated.pcap");
        long start = IkeRecords.epochMicros(Instant.parse("2026-03-01T10:00:00.123456Z"));
        IkeTraffic.write(generated, 50, start, 1_001);
        Topic<byte[], SpecificRecord> topic = newTopic("fields", 3);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Replay.Outcome outcome = replay(topic, "probe-gw-1", Vantage.GATEWAY, 0)
                .run(List.of(thirdParty, thirdPartyNg, incident, generated), new PrintStream(out, true, StandardCharsets.UTF_8), false);

        List<IkePacket> expected = new ArrayList<>();
        for (Path file : List.of(thirdParty, thirdPartyNg, incident, generated)) {
            List<IkePacket> fromFile = decodeExpected(file, "probe-gw-1", Vantage.GATEWAY);
            assertThat(fromFile).as(file + " has IKE packets").isNotEmpty();
            expected.addAll(fromFile);
        }
        assertThat(outcome.exitCode()).as(out.toString(StandardCharsets.UTF_8)).isEqualTo(Replay.OK);
        assertThat(expected).hasSizeGreaterThan(100);
        assertThat(outcome.counters().published()).isEqualTo(expected.size());

        List<ConsumerRecord<byte[], SpecificRecord>> records = TopicConsumer.readAll(kafka.bootstrapServers(), topic.name(), expected.size(), Duration.ofSeconds(60));
        assertThat(records).hasSize(expected.size());
        List<IkePacket> actual = new ArrayList<>();
        for (ConsumerRecord<byte[], SpecificRecord> r : records) {
            IkePacket p = (IkePacket) r.value();
            actual.add(p);
            assertThat(r.key()).isEqualTo(IkeRecords.key(IkeRecords.spiValue(p.getInitiatorSpi())));
            assertThat(r.timestamp()).isEqualTo(Math.floorDiv(IkeRecords.epochMicros(p.getTimestampMicros()), 1000L));
            assertThat(new String(r.headers().lastHeader(Probe.HEADER_PROBE_ID).value(), StandardCharsets.UTF_8)).isEqualTo("probe-gw-1");
            assertThat(new String(r.headers().lastHeader(Probe.HEADER_SOURCE).value(), StandardCharsets.UTF_8)).isEqualTo(p.getSource());
        }
        Comparator<IkePacket> byOrigin = Comparator.comparing(IkePacket::getSource).thenComparingLong(IkePacket::getFrame);
        actual.sort(byOrigin);
        expected.sort(byOrigin);
        // field by field equal to decode output, including microsecond capture time and vantage
        assertThat(actual).containsExactlyElementsOf(expected);
        assertThat(actual).extracting(IkePacket::getVantage).containsOnly("gateway");
        assertThat(actual.stream().filter(p -> p.getSource().equals(generated.toString())).findFirst().orElseThrow().getTimestampMicros())
                .isEqualTo(Instant.parse("2026-03-01T10:00:00.123456Z"));
        // the summary counts what was not IKE
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("replay done", "published " + expected.size() + ", failed 0");
        assertThat(outcome.counters().skipped(io.natshift.decode.SkipReason.NAT_KEEPALIVE)).isGreaterThanOrEqualTo(50);
        // the founding incident's floated packet 18 arrives keyed by its initiator cookie, on UDP 4500
        assertThat(actual).filteredOn(p -> p.getSource().equals(incident.toString()) && p.getNatT())
                .extracting(p -> IkeRecords.spiHex(IkeRecords.spiValue(p.getInitiatorSpi()))).contains("44a81e8f3ce968dc");
    }

    @Test
    void shouldMergeSeveralCapturesInCaptureTimeOrder() throws Exception {
        Path a = tmp.resolve("a.pcap");
        Path b = tmp.resolve("b.pcap");
        long start = IkeRecords.epochMicros(Instant.parse("2026-05-01T00:00:00Z"));
        IkeTraffic.write(a, 20, start, 2_000);
        IkeTraffic.write(b, 20, start + 1_000, 2_000);
        Topic<byte[], SpecificRecord> topic = newTopic("merge", 1);

        Replay.Outcome outcome = replay(topic, "p", Vantage.INSIDE, 0).run(List.of(a, b), System.out, false);

        assertThat(outcome.exitCode()).isEqualTo(Replay.OK);
        List<ConsumerRecord<byte[], SpecificRecord>> records = TopicConsumer.readAll(kafka.bootstrapServers(), topic.name(), 80, Duration.ofSeconds(30));
        assertThat(records).hasSize(80);
        List<Long> times = records.stream().map(r -> IkeRecords.epochMicros(((IkePacket) r.value()).getTimestampMicros())).toList();
        assertThat(times).isSorted();
        assertThat(records).extracting(r -> ((IkePacket) r.value()).getSource()).contains(a.toString(), b.toString());
    }

    @Test
    void shouldAcceptAndKeepACaptureFromAYearAgoUnderTheTopicConfig() throws Exception {
        Path old = tmp.resolve("last-year.pcap");
        long yearAgo = IkeRecords.epochMicros(Instant.now().minus(365, ChronoUnit.DAYS));
        long ike = IkeTraffic.write(old, 100, yearAgo, 10_000);
        Topic<byte[], SpecificRecord> topic = newTopic("year-old", 2);
        // control: the same data under Kafka's default retention (7 days) must be deleted, proving retention ran
        Topic<byte[], SpecificRecord> control = Topics.IKE_PACKETS.withPrefix("year-old-control-");
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(control.name(), 1, (short) 1))).all().get();
        }

        Replay.Outcome outcome = replay(topic, "p", Vantage.OUTSIDE, 0).run(List.of(old), System.out, false);
        Replay.Outcome controlOutcome = replay(control, "p", Vantage.OUTSIDE, 0).run(List.of(old), System.out, false);

        assertThat(outcome.exitCode()).isEqualTo(Replay.OK);
        assertThat(outcome.counters().published()).isEqualTo(ike);
        assertThat(controlOutcome.exitCode()).isEqualTo(Replay.OK);
        try (Admin admin = kafka.admin()) {
            awaitEarliestOffset(admin, new TopicPartition(control.name(), 0), ike);
            // several retention checks later, the natshift topic still starts at offset 0 and holds everything
            Thread.sleep(1_000);
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            for (int p = 0; p < 2; p++) {
                earliest.put(new TopicPartition(topic.name(), p), OffsetSpec.earliest());
            }
            admin.listOffsets(earliest).all().get().values().forEach(o -> assertThat(o.offset()).isZero());
        }
        List<ConsumerRecord<byte[], SpecificRecord>> records = TopicConsumer.readAll(kafka.bootstrapServers(), topic.name(), (int) ike, Duration.ofSeconds(30));
        assertThat(records).hasSize((int) ike);
        assertThat(records.get(0).timestamp()).isLessThan(System.currentTimeMillis() - Duration.ofDays(364).toMillis());
    }

    @Test
    void shouldFailWithNonZeroExitWhenTheBrokerRejectsOldTimestamps() throws Exception {
        Path old = tmp.resolve("last-year.pcap");
        IkeTraffic.write(old, 5, IkeRecords.epochMicros(Instant.now().minus(365, ChronoUnit.DAYS)), 10_000);
        Topic<byte[], SpecificRecord> strict = Topics.IKE_PACKETS.withPrefix("strict-");
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(strict.name(), 1, (short) 1)
                    .configs(Map.of("message.timestamp.before.max.ms", Long.toString(Duration.ofDays(1).toMillis()))))).all().get();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        Replay.Outcome outcome = replay(strict, "p", Vantage.OUTSIDE, 0).run(List.of(old), new PrintStream(out, true, StandardCharsets.UTF_8), false);

        assertThat(outcome.exitCode()).isEqualTo(Replay.SEND_FAILED);
        assertThat(outcome.counters().failed()).isPositive();
        assertThat(outcome.counters().published()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("FAILED", "Timestamp", "out of range");
    }

    @Test
    void shouldSayHowToCreateTheTopicWhenItIsMissing() throws Exception {
        Path file = tmp.resolve("x.pcap");
        IkeTraffic.write(file, 1, 1_000_000, 1);

        Replay.Outcome outcome = replay(Topics.IKE_PACKETS.withPrefix("missing-"), "p", Vantage.INSIDE, 0).run(List.of(file), System.out, false);

        assertThat(outcome.exitCode()).isEqualTo(Replay.NO_TOPIC);
        assertThat(outcome.problems()).singleElement().asString()
                .contains("missing-natshift.ike-packets does not exist", "bin/natshift topics create --bootstrap " + kafka.bootstrapServers());
    }

    @Test
    void shouldSendHeartbeatsToEveryQuietPartitionOnTheCaptureClock() throws Exception {
        // one SA, then a 60 s gap in the file, then another SA: heartbeats every 10 s of capture time
        Path gap = tmp.resolve("gap.pcap");
        Path first = tmp.resolve("first.pcap");
        long t0 = IkeRecords.epochMicros(Instant.parse("2025-11-01T08:00:00Z"));
        IkeTraffic.write(first, 1, t0, 1_000);
        Path second = tmp.resolve("second.pcap");
        IkeTraffic.write(second, 1, t0 + 60_000_000L, 1_000);
        Topic<byte[], SpecificRecord> topic = newTopic("heartbeats", 4);

        Replay.Outcome outcome = replay(topic, "hb-probe", Vantage.GATEWAY, 10_000_000L).run(List.of(first, second), System.out, false);

        assertThat(outcome.exitCode()).isEqualTo(Replay.OK);
        List<ConsumerRecord<byte[], SpecificRecord>> records = TopicConsumer.readAll(kafka.bootstrapServers(), topic.name(),
                4 + (int) outcome.counters().heartbeats(), Duration.ofSeconds(30));
        Map<Integer, Set<Long>> beatsByPartition = new HashMap<>();
        for (ConsumerRecord<byte[], SpecificRecord> r : records) {
            if (r.value() instanceof ProbeHeartbeat h) {
                assertThat(h.getProbeId()).isEqualTo("hb-probe");
                assertThat(r.timestamp()).isEqualTo(IkeRecords.epochMicros(h.getTimestampMicros()) / 1000);
                assertThat(r.key()).isNull();
                beatsByPartition.computeIfAbsent(r.partition(), p -> new HashSet<>()).add(r.timestamp() - t0 / 1000);
            }
        }
        assertThat(beatsByPartition).containsOnlyKeys(0, 1, 2, 3);
        // every quiet partition got a tick at 10 s steps of capture time within the gap, none after it
        beatsByPartition.values().forEach(offsets -> assertThat(offsets).isNotEmpty().allSatisfy(ms -> assertThat(ms).isBetween(10_000L, 60_000L)));
        assertThat(outcome.counters().heartbeats()).isEqualTo(records.stream().filter(r -> r.value() instanceof ProbeHeartbeat).count());
    }

    @Test
    void shouldLoseNoRecordAndReportSuccessWhenTheBrokerRestartsMidReplay() throws Exception {
        // a year-old capture: the broker forgets an idempotent producer whose last record timestamp is older
        // than producer.id.expiration.ms (at most ~24.8 days) when it reloads at restart; only an open
        // transaction keeps it, so this is what exactly once has to survive
        Path big = tmp.resolve("big.pcap");
        int sas = 150_000;
        long ike = IkeTraffic.write(big, sas, IkeRecords.epochMicros(Instant.now().minus(365, ChronoUnit.DAYS)), 50);
        Topic<byte[], SpecificRecord> topic = newTopic("restart", 3);
        Replay replay = replay(topic, "p", Vantage.OUTSIDE, 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<Replay.Outcome> running = CompletableFuture.supplyAsync(() -> {
            try {
                return replay.run(List.of(big), new PrintStream(out, true, StandardCharsets.UTF_8), false);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // restart once a good part, but not all, is in the log
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && acknowledged(topic) < ike / 5) {
            Thread.sleep(20);
        }
        assertThat(running).isNotDone();
        kafka.stop();
        Thread.sleep(2_000);
        kafka.restart();

        Replay.Outcome outcome = running.get(150, TimeUnit.SECONDS);

        String summary = out.toString(StandardCharsets.UTF_8);
        System.out.println("broker restart mid-replay: " + summary.strip());
        assertThat(outcome.exitCode()).as(summary).isEqualTo(Replay.OK);
        assertThat(outcome.counters().published()).isEqualTo(ike);
        assertThat(outcome.counters().failed()).isZero();
        List<ConsumerRecord<byte[], SpecificRecord>> records = TopicConsumer.readAll(kafka.bootstrapServers(), topic.name(), (int) ike, Duration.ofSeconds(90));
        List<String> duplicates = new ArrayList<>();
        Set<Long> frames = new HashSet<>();
        for (ConsumerRecord<byte[], SpecificRecord> r : records) {
            if (!frames.add(((IkePacket) r.value()).getFrame())) {
                duplicates.add("frame " + ((IkePacket) r.value()).getFrame() + " again at " + r.partition() + "@" + r.offset());
            }
        }
        assertThat(duplicates).as("records committed twice").isEmpty();
        assertThat(frames).as("every IKE packet of the capture, exactly once").hasSize((int) ike);
        assertThat(records).hasSize((int) ike);
        assertThat(records.get(0).timestamp()).isLessThan(System.currentTimeMillis() - Duration.ofDays(364).toMillis());
    }

    private static long acknowledged(Topic<byte[], SpecificRecord> topic) {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                latest.put(new TopicPartition(topic.name(), p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        } catch (Exception e) {
            return 0;
        }
    }

    private static void awaitEarliestOffset(Admin admin, TopicPartition tp, long expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long earliest = -1;
        while (System.nanoTime() < deadline) {
            earliest = admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get().get(tp).offset();
            if (earliest == expected) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(earliest).as("control topic under default retention should have been emptied").isEqualTo(expected);
    }
}
