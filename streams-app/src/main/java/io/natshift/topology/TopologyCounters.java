package io.natshift.topology;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the topology dropped or set aside, by reason, across the tasks of one app instance.
 * Owned by whoever builds the topology (no static registry); printed as a summary line.
 */
public final class TopologyCounters {
    final LongAdder poisonRecords = new LongAdder();
    final LongAdder lateRecords = new LongAdder();
    final LongAdder capDropped = new LongAdder();
    final LongAdder heartbeats = new LongAdder();
    final LongAdder packets = new LongAdder();
    final LongAdder alerts = new LongAdder();
    final LongAdder sessions = new LongAdder();
    final LongAdder supersededAttempts = new LongAdder();
    /** Counters of the bindings and statistics part (StatsTopology). */
    public final io.natshift.topology.correlation.CorrelationCounters correlation = new io.natshift.topology.correlation.CorrelationCounters();
    final LongAdder routinePackets = new LongAdder();

    /** Informational exchanges of established SAs between their current endpoints: not recorded. */
    public long routinePackets() {
        return routinePackets.sum();
    }

    public long poisonRecords() {
        return poisonRecords.sum();
    }

    public long lateRecords() {
        return lateRecords.sum();
    }

    public long capDropped() {
        return capDropped.sum();
    }

    public long heartbeats() {
        return heartbeats.sum();
    }

    public long packets() {
        return packets.sum();
    }

    public long alerts() {
        return alerts.sum();
    }

    public long sessions() {
        return sessions.sum();
    }

    public long supersededAttempts() {
        return supersededAttempts.sum();
    }

    @Override
    public String toString() {
        return "packets=" + packets() + " heartbeats=" + heartbeats() + " alerts=" + alerts() + " sessions=" + sessions()
                + " poison-records=" + poisonRecords() + " late-records=" + lateRecords()
                + " dropped-by-sa-cap=" + capDropped() + " superseded-attempts=" + supersededAttempts()
                + " routine-packets=" + routinePackets() + " " + correlation;
    }
}
