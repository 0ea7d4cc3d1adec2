package io.natshift.schemas;

import java.util.List;
import java.util.Map;

import org.apache.avro.specific.SpecificRecord;

import io.natshift.schemas.avro.GatewayStats;
import io.natshift.schemas.avro.NatBinding;
import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.PoolStats;
import io.natshift.schemas.avro.SessionSummary;
import io.natshift.schemas.avro.SubscriberStats;

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
            replayableInputConfig(),
            "Input: one IkePacket per captured IKE packet (key = initiator SPI, timestamp = capture time) and ProbeHeartbeat ticks.");

    /**
     * Configuration of a topic fed with capture timestamps, which may be years old (replay) or
     * slightly ahead of the broker's clock (probe clock skew):
     * <ul>
     * <li>{@code message.timestamp.type=CreateTime}: the record timestamp stays the capture time
     *     (LogAppendTime would overwrite it with the broker's clock and break event time).</li>
     * <li>{@code message.timestamp.before.max.ms=Long.MAX_VALUE}: records older than the broker's
     *     clock by any amount are accepted (a bound here rejects old captures with INVALID_TIMESTAMP).</li>
     * <li>{@code message.timestamp.after.max.ms=1 day}: tolerates probe clocks running ahead, still
     *     rejects absurd future timestamps that would pin segments forever.</li>
     * <li>{@code retention.ms=-1} with {@code retention.bytes} (per partition): time-based retention
     *     compares the newest timestamp of a segment with the broker's clock, so any finite value
     *     deletes a year-old replay as soon as it is written. Size bounds the topic instead.</li>
     * <li>{@code segment.bytes} well below {@code retention.bytes}, so size retention frees space
     *     in steps of one segment rather than all at once.</li>
     * </ul>
     */
    static Map<String, String> replayableInputConfig() {
        return Map.of(
                "cleanup.policy", "delete",
                "message.timestamp.type", "CreateTime",
                "message.timestamp.before.max.ms", Long.toString(Long.MAX_VALUE),
                "message.timestamp.after.max.ms", Long.toString(24L * 60 * 60 * 1000),
                "retention.ms", "-1",
                "retention.bytes", Long.toString(8L << 30),
                "segment.bytes", Long.toString(256L << 20),
                "compression.type", "producer");
    }
    /** Replayed captures carry old timestamps: never let the broker judge records by them. */
    private static final String UNBOUNDED = String.valueOf(Long.MAX_VALUE);

    public static final Topic<String, NatShiftAlert> ALERTS = new Topic<>(
            "natshift.alerts",
            org.apache.kafka.common.serialization.Serdes::String,
            Serdes::natShiftAlert,
            Map.of("cleanup.policy", "compact",
                    "message.timestamp.type", "CreateTime",
                    "message.timestamp.before.max.ms", UNBOUNDED),
            "Output: NatShift alerts (key = SA id), rewritten under the same key with the outcome (failed|recovered). "
                    + "Compacted: the latest state of every alert is kept.");

    public static final Topic<String, SessionSummary> SESSIONS = new Topic<>(
            "natshift.sessions",
            org.apache.kafka.common.serialization.Serdes::String,
            Serdes::sessionSummary,
            Map.of("cleanup.policy", "delete",
                    "retention.ms", "-1",
                    "retention.bytes", String.valueOf(1L << 30),
                    "message.timestamp.type", "CreateTime",
                    "message.timestamp.before.max.ms", UNBOUNDED),
            "Output: one SessionSummary per IKE SA attempt (key = SA id), when established and idle or timed out. "
                    + "Bounded by size, not time (replays carry old timestamps).");

    /** Compacted output keyed by something whose latest value is all that matters (SA id, pool window). */
    private static Map<String, String> compactedOutput() {
        return Map.of("cleanup.policy", "compact",
                "message.timestamp.type", "CreateTime",
                "message.timestamp.before.max.ms", UNBOUNDED);
    }

    public static final Topic<String, NatBinding> NAT_BINDINGS = new Topic<>(
            "natshift.nat-bindings",
            org.apache.kafka.common.serialization.Serdes::String,
            Serdes::natBinding,
            compactedOutput(),
            "Output: one NatBinding per IKE SA attempt (key = SA id): subscriber inside address:port per leg -> public "
                    + "address:port per leg, responder in front of and behind destination NAT, outcome. Compacted.");

    public static final Topic<String, PoolStats> POOL_STATS = new Topic<>(
            "natshift.pool-stats",
            org.apache.kafka.common.serialization.Serdes::String,
            Serdes::poolStats,
            compactedOutput(),
            "Output: NAT-T floats, shifts and the RFC 4787 pooling verdict per NAT pool, per 1m/1h window and in total "
                    + "(key = pool|window|start). Compacted: the latest value of every window is kept.");

    public static final Topic<String, GatewayStats> GATEWAY_STATS = new Topic<>(
            "natshift.gateway-stats",
            org.apache.kafka.common.serialization.Serdes::String,
            Serdes::gatewayStats,
            compactedOutput(),
            "Output: attempts, outcomes by cause, retransmissions and setup time per gateway per 1m/1h window "
                    + "(key = gateway|window|start). Compacted.");

    public static final Topic<String, SubscriberStats> SUBSCRIBER_STATS = new Topic<>(
            "natshift.subscriber-stats",
            org.apache.kafka.common.serialization.Serdes::String,
            Serdes::subscriberStats,
            compactedOutput(),
            "Output: failed IKE attempts per subscriber per hour (key = subscriber|start). Compacted.");

    public static List<Topic<?, ?>> all() {
        return List.of(IKE_PACKETS, ALERTS, SESSIONS, NAT_BINDINGS, POOL_STATS, GATEWAY_STATS, SUBSCRIBER_STATS);
    }
}
