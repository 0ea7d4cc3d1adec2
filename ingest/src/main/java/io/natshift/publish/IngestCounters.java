package io.natshift.publish;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import io.natshift.decode.RejectReason;
import io.natshift.decode.SkipReason;

/**
 * What a probe did with its frames. Written by the probe thread and the producer's callback
 * thread, read by the progress reporter: every counter is atomic.
 */
public final class IngestCounters {
    final AtomicLong frames = new AtomicLong();
    final AtomicLong ikePackets = new AtomicLong();
    final AtomicLong published = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong heartbeats = new AtomicLong();
    final AtomicLong heartbeatsCapped = new AtomicLong();
    final AtomicLong bytesRead = new AtomicLong();
    final AtomicLong transactions = new AtomicLong();
    final AtomicLong transactionsAborted = new AtomicLong();
    final AtomicLong recordsResent = new AtomicLong();
    private final AtomicLongArray rejected = new AtomicLongArray(RejectReason.values().length);
    private final AtomicLongArray skipped = new AtomicLongArray(SkipReason.values().length);

    void reject(RejectReason reason) {
        rejected.incrementAndGet(reason.ordinal());
    }

    void skip(SkipReason reason) {
        skipped.incrementAndGet(reason.ordinal());
    }

    public long frames() {
        return frames.get();
    }

    /** Frames decoded as IKE messages (sent to Kafka, acknowledged or not yet). */
    public long ikePackets() {
        return ikePackets.get();
    }

    /** IkePacket records in committed transactions (visible to read_committed consumers). */
    public long published() {
        return published.get();
    }

    /** IkePacket records not published because a send failed for good (fatal error or retries exhausted). */
    public long failed() {
        return failed.get();
    }

    public long heartbeats() {
        return heartbeats.get();
    }

    /** Heartbeat ticks not sent because a gap in capture time needed more than the cap per gap. */
    public long heartbeatsCapped() {
        return heartbeatsCapped.get();
    }

    public long rejected(RejectReason reason) {
        return rejected.get(reason.ordinal());
    }

    public long skipped(SkipReason reason) {
        return skipped.get(reason.ordinal());
    }

    public long rejectedTotal() {
        long sum = 0;
        for (int i = 0; i < rejected.length(); i++) {
            sum += rejected.get(i);
        }
        return sum;
    }

    public Map<RejectReason, Long> rejectedByReason() {
        Map<RejectReason, Long> map = new EnumMap<>(RejectReason.class);
        for (RejectReason r : RejectReason.values()) {
            long n = rejected(r);
            if (n > 0) {
                map.put(r, n);
            }
        }
        return map;
    }

    /** Transactions committed. */
    public long transactions() {
        return transactions.get();
    }

    /** Transactions aborted on an abortable error and sent again. */
    public long transactionsAborted() {
        return transactionsAborted.get();
    }

    /** Records sent again after an aborted transaction (the aborted copies are invisible to read_committed readers). */
    public long recordsResent() {
        return recordsResent.get();
    }

    /** Capture bytes consumed so far, for progress. */
    public long bytesRead() {
        return bytesRead.get();
    }

    /** One line: read, published, rejected by reason, keepalives, ESP, fragments, heartbeats. */
    public String summary() {
        StringBuilder s = new StringBuilder()
                .append("frames read ").append(frames())
                .append(", IKE packets ").append(ikePackets())
                .append(", published ").append(published())
                .append(", failed ").append(failed())
                .append(", rejected ").append(rejectedTotal());
        Map<RejectReason, Long> byReason = rejectedByReason();
        if (!byReason.isEmpty()) {
            s.append(' ').append(byReason);
        }
        s.append(", NAT keepalives ").append(skipped(SkipReason.NAT_KEEPALIVE))
                .append(", ESP-in-UDP ").append(skipped(SkipReason.ESP_IN_UDP))
                .append(", IP fragments ").append(skipped(SkipReason.IP_FRAGMENT))
                .append(", not IKE ").append(skipped(SkipReason.NOT_IKE_TRAFFIC))
                .append(", heartbeats ").append(heartbeats());
        if (heartbeatsCapped() > 0) {
            s.append(" (").append(heartbeatsCapped()).append(" ticks over the per-gap cap not sent)");
        }
        s.append(", transactions ").append(transactions());
        if (transactionsAborted() > 0) {
            s.append(" (").append(transactionsAborted()).append(" aborted, ").append(recordsResent()).append(" records resent)");
        }
        return s.toString();
    }
}
