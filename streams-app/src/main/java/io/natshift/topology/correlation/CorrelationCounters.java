package io.natshift.topology.correlation;

import java.util.concurrent.atomic.LongAdder;

/** What the cross-vantage statistics set aside, by reason. */
public final class CorrelationCounters {
    final LongAdder bindings = new LongAdder();
    final LongAdder poolBlocksDropped = new LongAdder();
    final LongAdder unparsableAddresses = new LongAdder();
    final LongAdder resummarised = new LongAdder();
    final LongAdder lateFacts = new LongAdder();
    final LongAdder unreadablePartials = new LongAdder();

    /** Attempts summarised again under an SA id already reported: kept out of the statistics. */
    public long resummarised() {
        return resummarised.sum();
    }

    /**
     * Facts that arrived after their window closed (end + natshift.stats.grace.ms), one per window
     * that dropped them (pool 1m/1h, gateway 1m/1h, subscriber 1h): the same decision Kafka Streams
     * logs as "Skipping record for expired window".
     */
    public long lateFacts() {
        return lateFacts.sum();
    }

    /** Held statistics partials that could not be read back from their store after a restart (Partials): dropped. */
    public long unreadablePartials() {
        return unreadablePartials.sum();
    }

    public long bindings() {
        return bindings.sum();
    }

    public long poolBlocksDropped() {
        return poolBlocksDropped.sum();
    }

    public long unparsableAddresses() {
        return unparsableAddresses.sum();
    }

    @Override
    public String toString() {
        return "nat-bindings=" + bindings() + " pool-merges-dropped-by-cap=" + poolBlocksDropped()
                + " unparsable-pool-addresses=" + unparsableAddresses() + " resummarised-attempts=" + resummarised()
                + " late-stats-facts=" + lateFacts() + " unreadable-held-partials=" + unreadablePartials();
    }
}
