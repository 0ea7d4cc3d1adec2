package io.natshift.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class StoreTuningTest {
    @Test
    void shouldGiveEveryStoreAWholeKeyBloomFilterInTheMemtable() {
        RocksDB.loadLibrary();
        try (Options options = new Options()) {
            new StoreTuning().setConfig("sa-state", options, Map.of());

            assertThat(options.memtablePrefixBloomSizeRatio()).isEqualTo(StoreTuning.MEMTABLE_BLOOM_RATIO);
            assertThat(options.memtableWholeKeyFiltering()).isTrue();
        }
    }
}
