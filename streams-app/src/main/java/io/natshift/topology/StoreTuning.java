package io.natshift.topology;

import java.util.Map;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * RocksDB settings for natshift's stores (rocksdb.config.setter), everything else Kafka Streams' defaults.
 *
 * <p>A bloom filter over whole keys in the memtable. Most point reads of sa-state are misses: the
 * first packet of every new SA looks up an SPI no one has written. Without it each miss walks the
 * skip lists of the active and immutable memtables (most of a 14 us get in the benchmark's profile);
 * SST files already have bloom filters. Costs 2% of the write buffer.
 */
public final class StoreTuning implements RocksDBConfigSetter {
    static final double MEMTABLE_BLOOM_RATIO = 0.02;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        options.setMemtablePrefixBloomSizeRatio(MEMTABLE_BLOOM_RATIO);
        options.setMemtableWholeKeyFiltering(true);
    }

    @Override
    public void close(String storeName, Options options) {
        // nothing allocated here
    }
}
