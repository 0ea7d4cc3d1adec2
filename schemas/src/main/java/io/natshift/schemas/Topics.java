package io.natshift.schemas;

import java.util.List;
import java.util.Map;

import org.apache.avro.specific.SpecificRecord;

/**
 * Every topic natshift uses, in one place. Names are kebab-case with the {@code natshift.} prefix.
 *
 * <p>Retention: captures replayed from last year carry record timestamps a year old, and the
 * broker's time-based retention and timestamp checks judge records by those timestamps. Every
 * topic therefore uses {@code message.timestamp.type=CreateTime} with unbounded
 * {@code message.timestamp.before.max.ms}, and bounds its size with {@code retention.bytes}
 * instead of time where a replay must survive (see docs/topics.md).
 */
public final class Topics {
    private Topics() {
    }

    public static final Topic<byte[], SpecificRecord> IKE_PACKETS = new Topic<>(
            "natshift.ike-packets",
            org.apache.kafka.common.serialization.Serdes::ByteArray,
            Serdes::ingestValue,
            Map.of(),
            "Input: one IkePacket per captured IKE packet (key = initiator SPI, timestamp = capture time) and ProbeHeartbeat ticks.");

    public static List<Topic<?, ?>> all() {
        return List.of(IKE_PACKETS);
    }
}
