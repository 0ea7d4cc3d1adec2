package io.natshift.topology.correlation;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.natshift.schemas.avro.NatBinding;

/**
 * Names the NAT pool of every float and re-keys the fact by it. A configured pool (natshift.pools.file)
 * wins; otherwise addresses start in their /24 (IPv4) or /64 (IPv6) block and a shift merges the
 * blocks of its 'before' and 'after' addresses (one subscriber's addresses come from one pool).
 * Merged blocks form a union-find in the pool-blocks store (block -> parent; roots have no entry),
 * named after their smallest block. Runs on a single partition: merging needs every shift.
 */
final class PoolResolver implements Processor<String, NatBinding, String, NatBinding> {
    private static final Logger LOG = LoggerFactory.getLogger(PoolResolver.class);

    private final PoolMap pools;
    private final int maxBlocks;
    private final CorrelationCounters counters;
    private ProcessorContext<String, NatBinding> context;
    private KeyValueStore<String, String> parents;
    private long entries;

    PoolResolver(PoolMap pools, int maxBlocks, CorrelationCounters counters) {
        this.pools = pools;
        this.maxBlocks = maxBlocks;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, NatBinding> context) {
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
    public void process(Record<String, NatBinding> record) {
        NatBinding b = record.value();
        String before = Endpoints.address(b.getPublic500());
        String after = Endpoints.address(b.getPublic4500());
        if (before == null || after == null || PoolMap.bytes(before) == null) {
            counters.unparsableAddresses.increment();
            LOG.warn("pool of SA {} not resolved: public legs '{}' / '{}' are not address:port", b.getSaId(),
                    b.getPublic500(), b.getPublic4500());
            return;
        }
        String configured = pools.configured(before);
        if (configured != null) {
            context.forward(record.withKey(configured));
            return;
        }
        String blockBefore = PoolMap.block(before);
        if (b.getNatShift() && pools.configured(after) == null) {
            union(blockBefore, PoolMap.block(after));
        }
        context.forward(record.withKey("auto:" + find(blockBefore)));
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
