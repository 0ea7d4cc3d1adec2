package io.natshift.publish;

import java.util.Arrays;

/**
 * Decides when a partition has been quiet long enough, in capture time, to need a heartbeat.
 * Kafka Streams advances stream time per partition only when records arrive, so a partition
 * without IKE would hold back every timeout downstream. The capture clock drives this class:
 * packet timestamps of files (a gap in the file is a quiet period), the host clock libpcap stamps
 * packets with for live capture. Never the wall clock during replay.
 */
final class Heartbeats {
    /** A gap of a day at a 10 s interval would need 8640 ticks per partition; the latest ones suffice. */
    static final int MAX_TICKS_PER_GAP = 16;

    interface Sink {
        void heartbeat(int partition, long captureMicros);
    }

    private final long intervalMicros;
    private final long[] lastMicros;
    private boolean started;
    private long nextCheckMicros;
    private long capped;

    Heartbeats(int partitions, long intervalMicros) {
        if (intervalMicros <= 0) {
            throw new IllegalArgumentException("heartbeat interval must be positive: " + intervalMicros + " us");
        }
        this.intervalMicros = intervalMicros;
        this.lastMicros = new long[partitions];
    }

    /** A record (or heartbeat) with this capture time went to the partition. */
    void sent(int partition, long captureMicros) {
        if (captureMicros > lastMicros[partition]) {
            lastMicros[partition] = captureMicros;
        }
    }

    /** The capture clock reached {@code clockMicros}: emit the ticks every quiet partition is owed. */
    void advance(long clockMicros, Sink sink) {
        if (!started) {
            Arrays.fill(lastMicros, clockMicros);
            started = true;
            nextCheckMicros = clockMicros + intervalMicros;
            return;
        }
        if (clockMicros < nextCheckMicros) {
            return;
        }
        long earliest = Long.MAX_VALUE;
        for (int p = 0; p < lastMicros.length; p++) {
            long owed = (clockMicros - lastMicros[p]) / intervalMicros;
            if (owed > 0) {
                long first = 1;
                if (owed > MAX_TICKS_PER_GAP) {
                    capped += owed - MAX_TICKS_PER_GAP;
                    first = owed - MAX_TICKS_PER_GAP + 1;
                }
                long base = lastMicros[p];
                for (long k = first; k <= owed; k++) {
                    sink.heartbeat(p, base + k * intervalMicros);
                }
                lastMicros[p] = base + owed * intervalMicros;
            }
            earliest = Math.min(earliest, lastMicros[p]);
        }
        nextCheckMicros = earliest + intervalMicros;
    }

    long capped() {
        return capped;
    }
}
