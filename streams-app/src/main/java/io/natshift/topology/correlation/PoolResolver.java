package io.natshift.topology.correlation;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Names the NAT pool of every float and re-keys its counts by it; floats arrive summed per tracker
 * task, minute and block (PoolPartial). A configured pool (natshift.pools.file)
 * wins; otherwise addresses start in their /24 (IPv4) or /64 (IPv6) block and a shift merges the
 * blocks of its 'before' and 'after' addresses (one subscriber's addresses come from one pool).
 * Merged blocks form a union-find in the pool-blocks store (block -> parent; roots have no entry),
 * named after their smallest block. Runs on a single partition: merging needs every shift.
 */
final class PoolResolver implements Processor<String, PoolPartial, String, Counts.Pool> {
    private static final Logger LOG = LoggerFactory.getLogger(PoolResolver.class);

    private final int maxBlocks;
    private final CorrelationCounters counters;
    private ProcessorContext<String, Counts.Pool> context;
    private KeyValueStore<String, String> parents;
    private long entries;

    PoolResolver(int maxBlocks, CorrelationCounters counters) {
        this.maxBlocks = maxBlocks;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, Counts.Pool> context) {
        this.context = context;
        this.parents = context.getStateStore(StatsTopology.POOL_BLOCKS_STORE);
        entries = 0;
        try (KeyValueIterator<String, String> all = parents.all()) {
            while (all.hasNext()) {
                all.next();
                entries++;
            }
        }
    }

    @Override
    public void process(Record<String, PoolPartial> record) {
        String key = record.key();
        PoolPartial p = record.value();
        if (key != null && key.startsWith(PoolPartial.CONFIGURED)) {
            context.forward(record.withKey(key.substring(PoolPartial.CONFIGURED.length())).withValue(p.counts));
            return;
        }
        if (key == null || !key.startsWith(PoolPartial.BLOCK)) {
            counters.unparsableAddresses.increment();
            LOG.warn("pool partial skipped: key '{}' names neither a block nor a configured pool", key);
            return;
        }
        String block = key.substring(PoolPartial.BLOCK.length());
        for (String after : p.shiftedTo) {
            union(block, after);
        }
        context.forward(record.withKey("auto:" + find(block)).withValue(p.counts));
    }

    private String find(String block) {
        String root = block;
        String parent;
        int hops = 0;
        while ((parent = parents.get(root)) != null) {
            root = parent;
            hops++;
        }
        if (hops > 1) {
            parents.put(block, root);   // path compression: the next lookup is one hop
        }
        return root;
    }

    private void union(String a, String b) {
        String ra = find(a);
        String rb = find(b);
        if (ra.equals(rb)) {
            return;
        }
        if (entries >= maxBlocks) {
            counters.poolBlocksDropped.increment();
            return;
        }
        boolean aFirst = PoolMap.compareBlocks(ra, rb) < 0;
        parents.put(aFirst ? rb : ra, aFirst ? ra : rb);
        entries++;
    }
}
