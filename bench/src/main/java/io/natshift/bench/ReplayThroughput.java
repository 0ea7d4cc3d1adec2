package io.natshift.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.tools.ProducerPerformance;

import io.natshift.capture.CaptureReader;
import io.natshift.decode.FrameDecoder;
import io.natshift.decode.IkeMessage;
import io.natshift.kafka.LocalKafka;
import io.natshift.publish.IkeRecords;
import io.natshift.publish.IkeTraffic;
import io.natshift.publish.Pacer;
import io.natshift.publish.Probe;
import io.natshift.publish.ProducerSettings;
import io.natshift.publish.Replay;
import io.natshift.publish.TopicSetup;
import io.natshift.publish.Vantage;
import io.natshift.capture.CaptureFiles;
import io.natshift.schemas.Topic;
import io.natshift.schemas.Topics;
import io.natshift.schemas.avro.IkePacket;

/**
 * Replay throughput (records/s, from start until every record is acknowledged) into the embedded
 * broker, beside Kafka's own ProducerPerformance on the same broker in the same run: same record
 * count, the average IkePacket size, keyed records over as many keys as SAs, the same producer
 * settings (idempotence, acks=all, lz4, linger, batch). Prints each run, the medians and the ratio.
 * Usage: ReplayThroughput [IKE_PACKETS (default 1000000)] [RUNS (default 3)] [PARTITIONS (default 6)]
 */
public final class ReplayThroughput {
    private static final Pattern PERF_SUMMARY = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec");

    private ReplayThroughput() {
    }

    public static void main(String[] args) throws Exception {
        long ike = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        int sas = (int) ((ike + IkeTraffic.IKE_PER_SA - 1) / IkeTraffic.IKE_PER_SA);
        Path dir = Files.createTempDirectory("natshift-bench-");
        Path capture = dir.resolve("bench.pcap");
        long written = IkeTraffic.write(capture, sas, 1_700_000_000_000_000L, 100);
        int recordSize = averageValueSize(capture);
        System.out.printf(Locale.ROOT, "capture: %,d IKE packets (%,d frames, %,d bytes), average IkePacket value %d bytes; %d partitions%n",
                written, (long) sas * IkeTraffic.FRAMES_PER_SA, Files.size(capture), recordSize, partitions);
        List<Double> replay = new ArrayList<>();
        List<Double> perf = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        try (LocalKafka kafka = LocalKafka.start()) {
            // warm-up, not counted: both sides get JIT-compiled code and a broker with warm caches
            Topic<byte[], SpecificRecord> warmReplay = Topics.IKE_PACKETS.withPrefix("bench-warmup-replay-");
            Topic<byte[], SpecificRecord> warmPerf = Topics.IKE_PACKETS.withPrefix("bench-warmup-perf-");
            try (Admin admin = kafka.admin()) {
                TopicSetup.create(admin, List.of(warmReplay, warmPerf), partitions, Optional.of((short) 1));
            }
            replay(kafka, warmReplay, capture, written);
            producerPerformance(kafka, warmPerf, written, recordSize, sas);
            System.out.println("warm-up done (one replay and one ProducerPerformance run of the same size, not counted)");
            for (int run = 1; run <= runs; run++) {
                Topic<byte[], SpecificRecord> replayTopic = Topics.IKE_PACKETS.withPrefix("bench-replay-" + run + "-");
                Topic<byte[], SpecificRecord> perfTopic = Topics.IKE_PACKETS.withPrefix("bench-perf-" + run + "-");
                try (Admin admin = kafka.admin()) {
                    TopicSetup.create(admin, List.of(replayTopic, perfTopic), partitions, Optional.of((short) 1));
                }
                long cpu0 = processCpuNanos();
                double r = replay(kafka, replayTopic, capture, written);
                long cpu1 = processCpuNanos();
                double p = producerPerformance(kafka, perfTopic, written, recordSize, sas);
                long cpu2 = processCpuNanos();
                System.out.printf(Locale.ROOT, "run %d: CPU per record (this JVM: broker + client): replay %.1f us, ProducerPerformance %.1f us%n",
                        run, (cpu1 - cpu0) / 1e3 / written, (cpu2 - cpu1) / 1e3 / written);
                replay.add(r);
                perf.add(p);
                ratios.add(r / p);
                System.out.printf(Locale.ROOT, "run %d: replay %,.0f records/s, ProducerPerformance %,.0f records/s, ratio %.2f%n", run, r, p, r / p);
            }
        } finally {
            Files.deleteIfExists(capture);
            Files.deleteIfExists(dir);
        }
        double mr = median(replay);
        double mp = median(perf);
        System.out.printf(Locale.ROOT, "median of %d runs: replay %,.0f records/s, ProducerPerformance %,.0f records/s, ratio of medians %.2f, "
                + "median of per-run ratios %.2f (target >= 0.70)%n", runs, mr, mp, mr / mp, median(ratios));
    }

    private static double replay(LocalKafka kafka, Topic<byte[], SpecificRecord> topic, Path capture, long expected) throws Exception {
        Replay replay = new Replay(kafka.bootstrapServers(), new Probe.Settings("bench", Vantage.GATEWAY, 0), Pacer.MAX,
                CaptureFiles::open, topic, p -> p);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        long start = System.nanoTime();
        Replay.Outcome outcome = replay.run(List.of(capture), quiet, false);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (outcome.exitCode() != Replay.OK || outcome.counters().published() != expected) {
            throw new IllegalStateException("replay did not publish all " + expected + " records: " + outcome.counters().summary() + " " + outcome.problems());
        }
        return expected / seconds;
    }

    private static double producerPerformance(LocalKafka kafka, Topic<byte[], SpecificRecord> topic, long records, int recordSize, int keys)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("--bootstrap-server", kafka.bootstrapServers(), "--topic", topic.name(),
                "--num-records", Long.toString(records), "--record-size", Integer.toString(recordSize), "--throughput", "-1",
                "--key-distribution", "range", "--record-key-range", Integer.toString(keys), "--reporting-interval", "600000",
                "--command-property"));
        Properties settings = ProducerSettings.noLoss(kafka.bootstrapServers(), "bench-perf");
        for (String name : settings.stringPropertyNames()) {
            args.add(name + "=" + settings.getProperty(name));
        }
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ProducerPerformance.main(args.toArray(String[]::new));
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        Matcher m = PERF_SUMMARY.matcher(output);
        double rate = -1;
        while (m.find()) {
            if (Long.parseLong(m.group(1)) == records) {
                rate = Double.parseDouble(m.group(2));
            }
        }
        if (rate < 0) {
            throw new IllegalStateException("no ProducerPerformance summary in: " + output);
        }
        return rate;
    }

    /** Average single-object IkePacket value size of the capture's first 10,000 IKE packets. */
    private static int averageValueSize(Path capture) throws Exception {
        FrameDecoder decoder = new FrameDecoder();
        var serde = Topics.IKE_PACKETS.valueSerde().get();
        long bytes = 0;
        int n = 0;
        try (CaptureReader r = CaptureFiles.open(capture)) {
            while (n < 10_000 && r.next()) {
                if (decoder.decode(r.buffer(), r.offset(), r.length(), r.linkType()) instanceof IkeMessage m) {
                    IkePacket p = IkeRecords.toAvro(m, "bench", r.source(), r.frameNumber(), r.timestampMicros());
                    p.setVantage(Vantage.GATEWAY.text());
                    bytes += serde.serializer().serialize(Topics.IKE_PACKETS.name(), p).length;
                    n++;
                }
            }
        }
        return (int) Math.round((double) bytes / n);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
    }
}
