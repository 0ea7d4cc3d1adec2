package io.natshift.publish;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.natshift.capture.CaptureReader;
import io.natshift.decode.DecodeResult;
import io.natshift.decode.FrameDecoder;
import io.natshift.decode.IkeMessage;
import io.natshift.schemas.Topic;
import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.ProbeHeartbeat;

/**
 * Frames in, records on natshift.ike-packets out: decodes each frame, maps IKE messages to
 * IkePacket (key = initiator SPI, timestamp = capture time in ms, headers = probe id and source),
 * sends heartbeats to quiet partitions, and counts everything. A send that fails after the
 * producer's retries is never ignored: {@link #failure()} holds it and the run stops.
 * One thread drives a probe; the producer's callbacks only touch atomics. Values are serialized
 * with the topic's serde here, so {@link #replay} can hand finished records to a sender thread.
 */
public final class Probe {
    private static final Logger LOG = LoggerFactory.getLogger(Probe.class);
    public static final String HEADER_PROBE_ID = "natshift.probe-id";
    public static final String HEADER_SOURCE = "natshift.source";

    /** @param heartbeatIntervalMicros capture time a partition may stay quiet before a heartbeat; 0 = none */
    public record Settings(String probeId, Vantage vantage, long heartbeatIntervalMicros) {
    }

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final Serializer<SpecificRecord> valueSerializer;
    private final int partitions;
    private final Settings settings;
    private final FrameDecoder decoder;
    private final IngestCounters counters = new IngestCounters();
    private final Heartbeats heartbeats;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Map<String, List<Header>> headersBySource = new HashMap<>();
    private final Callback packetCallback = this::acknowledged;
    private final Callback heartbeatCallback = this::heartbeatAcknowledged;
    private final Heartbeats.Sink heartbeatSink = this::sendHeartbeat;
    private final byte[] probeIdBytes;
    private String currentSource = "";
    private SendPipeline pipeline;

    public Probe(Producer<byte[], byte[]> producer, Topic<byte[], SpecificRecord> topic, int partitions, Settings settings, FrameDecoder decoder) {
        this.producer = producer;
        this.topic = topic.name();
        this.valueSerializer = topic.valueSerde().get().serializer();
        this.partitions = partitions;
        this.settings = settings;
        this.decoder = decoder;
        this.heartbeats = settings.heartbeatIntervalMicros() > 0 ? new Heartbeats(partitions, settings.heartbeatIntervalMicros()) : null;
        this.probeIdBytes = settings.probeId().getBytes(StandardCharsets.UTF_8);
    }

    public IngestCounters counters() {
        return counters;
    }

    /** The first send that failed for good, if any. */
    public Exception failure() {
        return failure.get();
    }

    /**
     * Publishes every frame of {@code reader} at the pace of {@code pacer}, then waits until every
     * record is acknowledged. Returns normally even when a send failed: check {@link #failure()}.
     * A damaged capture throws {@link IOException} after every good frame before the damage was sent.
     */
    public void replay(CaptureReader reader, Pacer pacer) throws IOException, InterruptedException {
        // reading, decoding and serializing here; producer.send (append + compression) on the sender thread
        pipeline = new SendPipeline(producer, this::failed);
        try {
            long n = 0;
            while (failure.get() == null && reader.next()) {
                pacer.await(reader.timestampMicros());
                accept(reader);
                if ((++n & 1023) == 0) {
                    counters.bytesRead.set(reader.bytesRead());
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("replay interrupted");
                }
            }
        } finally {
            counters.bytesRead.set(reader.bytesRead());
            SendPipeline p = pipeline;
            pipeline = null;
            p.close();
            flush();
        }
    }

    /** Decodes and publishes the reader's current frame. */
    public void accept(CaptureReader frame) {
        counters.frames.incrementAndGet();
        long micros = frame.timestampMicros();
        if (heartbeats != null) {
            currentSource = frame.source();
            heartbeats.advance(micros, heartbeatSink);
        }
        DecodeResult result = decoder.decode(frame.buffer(), frame.offset(), frame.length(), frame.linkType());
        if (result instanceof IkeMessage m) {
            counters.ikePackets.incrementAndGet();
            String source = frame.source();
            IkePacket value = IkeRecords.toAvro(m, settings.probeId(), source, frame.frameNumber(), micros);
            value.setVantage(settings.vantage().text());
            byte[] key = IkeRecords.key(m.initiatorSpi());
            int partition = partitionOf(key);
            send(new ProducerRecord<>(topic, partition, Math.floorDiv(micros, 1000L), key, valueSerializer.serialize(topic, value), headers(source)),
                    packetCallback);
            if (heartbeats != null) {
                heartbeats.sent(partition, micros);
            }
        } else if (result instanceof DecodeResult.Skipped s) {
            counters.skip(s.reason());
        } else if (result instanceof DecodeResult.Rejected r) {
            counters.reject(r.reason());
            LOG.debug("{} frame {}: rejected {}: {}", frame.source(), frame.frameNumber(), r.reason(), r.detail());
        }
    }

    /** The capture clock advanced without a frame (live capture, quiet interface). */
    public void idle(long captureClockMicros, String source) {
        if (heartbeats != null) {
            currentSource = source;
            heartbeats.advance(captureClockMicros, heartbeatSink);
        }
    }

    /** Blocks until every record sent so far is acknowledged or failed. */
    public void flush() {
        producer.flush();
        counters.heartbeatsCapped.set(heartbeats == null ? 0 : heartbeats.capped());
    }

    /** Same partition as Kafka's default partitioner gives a keyed record; known here so heartbeats can follow. */
    int partitionOf(byte[] key) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    private void sendHeartbeat(int partition, long captureMicros) {
        ProbeHeartbeat beat = ProbeHeartbeat.newBuilder()
                .setProbeId(settings.probeId())
                .setSource(currentSource)
                .setVantage(settings.vantage().text())
                .setTimestampMicros(IkeRecords.instant(captureMicros))
                .build();
        send(new ProducerRecord<>(topic, partition, Math.floorDiv(captureMicros, 1000L), null, valueSerializer.serialize(topic, beat),
                headers(currentSource)), heartbeatCallback);
    }

    private void send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        SendPipeline p = pipeline;
        if (p != null) {
            p.send(record, callback);
        } else {
            producer.send(record, callback);
        }
    }

    private List<Header> headers(String source) {
        return headersBySource.computeIfAbsent(source, s -> List.of(
                new RecordHeader(HEADER_PROBE_ID, probeIdBytes),
                new RecordHeader(HEADER_SOURCE, s.getBytes(StandardCharsets.UTF_8))));
    }

    private void acknowledged(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception e) {
        if (e == null) {
            counters.published.incrementAndGet();
        } else {
            failed(e);
        }
    }

    private void heartbeatAcknowledged(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception e) {
        if (e == null) {
            counters.heartbeats.incrementAndGet();
        } else {
            failed(e);
        }
    }

    private void failed(Exception e) {
        counters.failed.incrementAndGet();
        if (failure.compareAndSet(null, e)) {
            LOG.error("send to {} failed after retries: {}", topic, e.toString());
        }
    }
}
