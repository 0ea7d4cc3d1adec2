package io.natshift.topology.correlation;

import java.util.concurrent.atomic.LongAdder;

/** What the cross-vantage statistics set aside, by reason (late facts are counted by Kafka Streams' dropped-records metric). */
public final class CorrelationCounters {
    final LongAdder bindings = new LongAdder();
    final LongAdder poolBlocksDropped = new LongAdder();
    final LongAdder unparsableAddresses = new LongAdder();

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
                + " unparsable-pool-addresses=" + unparsableAddresses();
    }
}
