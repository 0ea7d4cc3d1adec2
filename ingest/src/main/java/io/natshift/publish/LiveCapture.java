package io.natshift.publish;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.natshift.capture.LiveCaptureReader;
import io.natshift.decode.FrameDecoder;
import io.natshift.schemas.Topic;

/**
 * {@code natshift capture}: one interface onto natshift.ike-packets until {@link #stop()} (SIGINT or
 * SIGTERM), then every queued frame is published, the producer flushed, and the summary printed.
 */
public final class LiveCapture {
    private static final Logger LOG = LoggerFactory.getLogger(LiveCapture.class);
    private static final long STATUS_EVERY_NANOS = 60_000_000_000L;

    public record Options(String interfaceName, String filter, boolean promiscuous, LiveCaptureReader.Limits limits) {
    }

    private final String bootstrapServers;
    private final Probe.Settings settings;
    private final Options options;
    private final Topic<byte[], SpecificRecord> topic;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile LiveCaptureReader reader;
    private volatile boolean stopRequested;
    private volatile int exitCode = Replay.OK;

    public LiveCapture(String bootstrapServers, Probe.Settings settings, Options options, Topic<byte[], SpecificRecord> topic) {
        this.bootstrapServers = bootstrapServers;
        this.settings = settings;
        this.options = options;
        this.topic = topic;
    }

    /** Runs until stopped or a send fails; returns the exit code (as {@link Replay}). */
    public int run(PrintStream out) throws InterruptedException {
        exitCode = runCapture(out);
        return exitCode;
    }

    /** The exit code of the finished run. */
    public int exitCode() {
        return exitCode;
    }

    private int runCapture(PrintStream out) throws InterruptedException {
        try {
            int partitions;
            try {
                partitions = TopicCheck.partitions(bootstrapServers, topic.name());
            } catch (TopicCheck.MissingTopicException e) {
                out.println("natshift capture: " + e.getMessage());
                return Replay.NO_TOPIC;
            }
            Properties props = ProducerSettings.noLoss(bootstrapServers, "natshift-capture-" + settings.probeId());
            try (Producer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
                 LiveCaptureReader live = LiveCaptureReader.open(options.interfaceName(), options.filter(), options.promiscuous(), options.limits())) {
                reader = live;
                if (stopRequested) {
                    live.stop();
                }
                LOG.info("capturing on {} (filter: {}) into {} on {}", options.interfaceName(), options.filter(), topic.name(), bootstrapServers);
                Probe probe = new Probe(producer, topic, partitions, settings, new FrameDecoder());
                long nextStatus = System.nanoTime() + STATUS_EVERY_NANOS;
                LiveCaptureReader.Poll poll;
                while ((poll = live.poll(100)) != LiveCaptureReader.Poll.END) {
                    if (poll == LiveCaptureReader.Poll.FRAME) {
                        probe.accept(live);
                    } else {
                        probe.idle(live.clockMicros(), options.interfaceName());
                    }
                    if (probe.failure() != null) {
                        live.stop();
                    }
                    if (System.nanoTime() >= nextStatus) {
                        nextStatus = System.nanoTime() + STATUS_EVERY_NANOS;
                        LOG.info("{}: {}; {}", options.interfaceName(), probe.counters().summary(), drops(live));
                    }
                }
                probe.flush();
                out.println("capture " + (probe.failure() == null ? "stopped" : "FAILED") + " on " + options.interfaceName() + ": "
                        + probe.counters().summary() + "; " + drops(live));
                if (live.error() != null) {
                    out.println("  problem: " + live.error());
                }
                if (probe.failure() != null) {
                    out.println("  problem: send to " + topic.name() + " failed: " + probe.failure());
                    return Replay.SEND_FAILED;
                }
                return live.error() == null ? Replay.OK : Replay.DAMAGED_INPUT;
            } catch (IOException e) {
                out.println("natshift capture: " + e.getMessage());
                return Replay.DAMAGED_INPUT;
            }
        } finally {
            done.countDown();
        }
    }

    private static String drops(LiveCaptureReader live) {
        return "captured " + live.captured() + ", dropped: queue " + live.queueDrops() + ", kernel (ps_drop) " + live.kernelDrops()
                + ", interface (ps_ifdrop) " + live.interfaceDrops();
    }

    /** Asks the capture to end (signal handler); {@link #awaitDone} waits for the flush and summary. */
    public void stop() {
        stopRequested = true;
        LiveCaptureReader r = reader;
        if (r != null) {
            r.stop();
        }
    }

    public boolean awaitDone(long millis) throws InterruptedException {
        return done.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
}
