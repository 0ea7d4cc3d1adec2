package io.natshift.topology;

import java.util.Map;

/**
 * Topic settings of natshift's changelogs. A replayed capture's record timestamps are years old: the
 * broker must accept them (CreateTime, unbounded age) and must never delete records by them, or a
 * restore after a restart or rebalance comes back short. As for the input topic (Topics).
 */
public final class Changelogs {
    private static final String UNBOUNDED = String.valueOf(Long.MAX_VALUE);

    /** Key-value stores: compacted, so size follows the live keys. */
    public static final Map<String, String> KEY_VALUE = Map.of(
            "cleanup.policy", "compact",
            "message.timestamp.type", "CreateTime",
            "message.timestamp.before.max.ms", UNBOUNDED);

    /**
     * Window stores. Kafka Streams' default (compact,delete with retention.ms = store retention + a
     * day) let the broker's log cleaner delete a replay's records within seconds (NatshiftTopologyIT saw
     * a minute window restored without its counts). No time retention, bounded by size per partition
     * instead; compaction keeps each window's latest value, the oldest (expired) windows go first.
     */
    public static final Map<String, String> WINDOW = Map.of(
            "cleanup.policy", "compact,delete",
            "retention.ms", "-1",
            "retention.bytes", String.valueOf(1L << 30),
            "message.timestamp.type", "CreateTime",
            "message.timestamp.before.max.ms", UNBOUNDED);

    private Changelogs() {
    }
}
