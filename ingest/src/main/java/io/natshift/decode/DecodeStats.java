package io.natshift.decode;

import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;

/** Counts what the decoder made of every frame, by outcome and reason. Not thread-safe: one per capture loop. */
public final class DecodeStats {
    private long frames;
    private long ikePackets;
    private final long[] skipped = new long[SkipReason.values().length];
    private final long[] rejected = new long[RejectReason.values().length];

    /** Counts {@code result} and returns it, so callers can write {@code switch (stats.count(decoder.decode(...)))}. */
    public DecodeResult count(DecodeResult result) {
        frames++;
        if (result instanceof IkeMessage) {
            ikePackets++;
        } else if (result instanceof DecodeResult.Skipped s) {
            skipped[s.reason().ordinal()]++;
        } else if (result instanceof DecodeResult.Rejected r) {
            rejected[r.reason().ordinal()]++;
        }
        return result;
    }

    public long frames() {
        return frames;
    }

    public long ikePackets() {
        return ikePackets;
    }

    public long skipped(SkipReason reason) {
        return skipped[reason.ordinal()];
    }

    public long rejected(RejectReason reason) {
        return rejected[reason.ordinal()];
    }

    public long rejectedTotal() {
        long sum = 0;
        for (long r : rejected) {
            sum += r;
        }
        return sum;
    }

    public Map<RejectReason, Long> rejectedByReason() {
        Map<RejectReason, Long> map = new EnumMap<>(RejectReason.class);
        for (RejectReason reason : RejectReason.values()) {
            if (rejected[reason.ordinal()] > 0) {
                map.put(reason, rejected[reason.ordinal()]);
            }
        }
        return map;
    }

    public void add(DecodeStats other) {
        frames += other.frames;
        ikePackets += other.ikePackets;
        for (int i = 0; i < skipped.length; i++) {
            skipped[i] += other.skipped[i];
        }
        for (int i = 0; i < rejected.length; i++) {
            rejected[i] += other.rejected[i];
        }
    }

    /** One line for a summary: frames, IKE packets, keepalives, ESP-in-UDP, later IP fragments, rejections by reason. */
    public String summary() {
        StringJoiner rejections = new StringJoiner(", ", " (", ")").setEmptyValue("");
        rejectedByReason().forEach((reason, n) -> rejections.add(reason + " " + n));
        return "frames " + frames
                + ", IKE packets " + ikePackets
                + ", NAT keepalives " + skipped(SkipReason.NAT_KEEPALIVE)
                + ", ESP-in-UDP " + skipped(SkipReason.ESP_IN_UDP)
                + ", later IP fragments " + skipped(SkipReason.IP_FRAGMENT)
                + ", other traffic " + skipped(SkipReason.NOT_IKE_TRAFFIC)
                + ", rejected " + rejectedTotal() + rejections;
    }
}
