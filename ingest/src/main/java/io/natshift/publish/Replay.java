package io.natshift.publish;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.natshift.capture.CaptureOpener;
import io.natshift.capture.CaptureReader;
import io.natshift.capture.MergedCaptureReader;
import io.natshift.decode.FrameDecoder;
import io.natshift.schemas.Topic;
import io.natshift.schemas.Topics;

/**
 * {@code natshift replay}: capture files, merged in time order, onto natshift.ike-packets. Ends
 * only when every record is acknowledged (or a send failed for good).
 */
public final class Replay {
    public static final int OK = 0;
    public static final int SEND_FAILED = 1;
    public static final int NO_TOPIC = 3;
    public static final int DAMAGED_INPUT = 4;

    /** How a run ended; {@code counters} hold what happened. */
    public record Outcome(int exitCode, IngestCounters counters, List<String> problems) {
    }

    private final String bootstrapServers;
    private final Probe.Settings settings;
    private final Pacer pacer;
    private final CaptureOpener opener;
    private final Topic<byte[], SpecificRecord> topic;
    private final Function<Properties, Properties> producerTuning;

    public Replay(String bootstrapServers, Probe.Settings settings, Pacer pacer, CaptureOpener opener,
                  Topic<byte[], SpecificRecord> topic, Function<Properties, Properties> producerTuning) {
        this.bootstrapServers = bootstrapServers;
        this.settings = settings;
        this.pacer = pacer;
        this.opener = opener;
        this.topic = topic;
        this.producerTuning = producerTuning;
    }

    public Replay(String bootstrapServers, Probe.Settings settings, Pacer pacer, CaptureOpener opener) {
        this(bootstrapServers, settings, pacer, opener, Topics.IKE_PACKETS, p -> p);
    }

    /** @param out where the summary goes; {@code showProgress} draws a bar on a terminal or logs lines */
    public Outcome run(List<Path> files, PrintStream out, boolean showProgress) throws InterruptedException {
        List<String> problems = new ArrayList<>();
        int partitions;
        try {
            partitions = TopicCheck.partitions(bootstrapServers, topic.name());
        } catch (TopicCheck.MissingTopicException e) {
            problems.add(e.getMessage());
            return new Outcome(NO_TOPIC, new IngestCounters(), problems);
        }
        List<CaptureReader> readers = new ArrayList<>();
        for (Path file : files) {
            try {
                readers.add(opener.open(file));
            } catch (IOException e) {
                problems.add(file + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        Properties props = producerTuning.apply(ProducerSettings.noLoss(bootstrapServers, "natshift-replay-" + settings.probeId()));
        IngestCounters counters = new IngestCounters();
        Exception failure;
        try (MergedCaptureReader merged = new MergedCaptureReader(readers);
             Producer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            Probe probe = new Probe(producer, topic, partitions, settings, new FrameDecoder());
            counters = probe.counters();
            try (Progress progress = showProgress ? Progress.forConsole(counters, merged.totalBytes()) : null) {
                probe.replay(merged, pacer);
            }
            problems.addAll(merged.damaged());
            failure = probe.failure();
        } catch (IOException e) {
            // closing readers; every record is already acknowledged by then
            problems.add("closing captures: " + e.getMessage());
            return new Outcome(DAMAGED_INPUT, counters, problems);
        }
        if (failure != null) {
            problems.add(0, "send to " + topic.name() + " failed: " + failure);
        }
        out.println("replay " + (failure == null ? "done" : "FAILED") + ": " + counters.summary());
        for (String p : problems) {
            out.println("  problem: " + p);
        }
        int code = failure != null ? SEND_FAILED : problems.isEmpty() ? OK : DAMAGED_INPUT;
        return new Outcome(code, counters, problems);
    }
}
