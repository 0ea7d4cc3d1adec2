package io.natshift.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class SpiTableTest {
    @Test
    void shouldAgreeWithAHashMapOverRandomPutsGetsAndRemovesOfCollidingKeys() {
        List<Long> evicted = new ArrayList<>();
        SpiTable<String> table = new SpiTable<>(10_000, (k, v) -> evicted.add(k));
        Map<Long, String> reference = new HashMap<>();
        Random random = new Random(42);
        for (int op = 0; op < 300_000; op++) {
            // a small key space, spread so that many keys share a home slot's neighbourhood
            long key = random.nextInt(3_000) * (random.nextBoolean() ? 1L : 1L << 40);
            switch (random.nextInt(3)) {
                case 0 -> {
                    String v = "v" + op;
                    table.put(key, v);
                    reference.put(key, v);
                }
                case 1 -> assertThat(table.get(key)).as("op %d get %d", op, key).isEqualTo(reference.get(key));
                default -> assertThat(table.remove(key)).as("op %d remove %d", op, key).isEqualTo(reference.remove(key));
            }
            assertThat(table.size()).isEqualTo(reference.size());
        }
        assertThat(evicted).isEmpty();
        for (Map.Entry<Long, String> e : reference.entrySet()) {
            assertThat(table.get(e.getKey())).isEqualTo(e.getValue());
        }
    }

    @Test
    void shouldKeepAtMostItsCapacityAndHandEachEvictedEntryToTheCallback() {
        Map<Long, String> evicted = new HashMap<>();
        SpiTable<String> table = new SpiTable<>(1_000, evicted::put);
        for (long k = 0; k < 5_000; k++) {
            table.put(k, "v" + k);
        }
        assertThat(table.size()).isEqualTo(1_000);
        assertThat(evicted).hasSize(4_000);
        for (long k = 0; k < 5_000; k++) {
            String v = table.get(k);
            assertThat(v == null).as("key %d either kept or evicted, never both", k).isEqualTo(evicted.containsKey(k));
            assertThat(v == null ? evicted.get(k) : v).isEqualTo("v" + k);
        }
    }

    @Test
    void shouldSpareAnEntryUsedSinceTheHandLastPassedIt() {
        List<Long> evicted = new ArrayList<>();
        SpiTable<String> table = new SpiTable<>(3, (k, v) -> evicted.add(k));
        table.put(1, "a");
        table.put(2, "b");
        table.put(3, "c");
        table.put(4, "d");   // every entry was fresh: the hand clears them all and takes the first it meets again
        assertThat(evicted).hasSize(1);
        List<Long> survivors = new ArrayList<>(List.of(1L, 2L, 3L));
        survivors.remove(evicted.get(0));
        long used = survivors.get(0);
        long unused = survivors.get(1);

        assertThat(table.get(used)).isNotNull();
        table.put(5, "e");

        assertThat(evicted).containsExactly(evicted.get(0), unused);
        assertThat(table.get(used)).isNotNull();
        assertThat(table.get(4)).isEqualTo("d");
        assertThat(table.get(5)).isEqualTo("e");
    }

    @Test
    void shouldForgetEverythingWhenCleared() {
        SpiTable<String> table = new SpiTable<>(10, (k, v) -> { });
        table.put(7, "x");
        table.clear();
        assertThat(table.size()).isZero();
        assertThat(table.get(7)).isNull();
    }

    @Test
    void shouldStartSmallAndGrowOnlyToWhatItsCapacityNeeds() {
        SpiTable<String> table = new SpiTable<>(100_000, (k, v) -> { });
        assertThat(table.slots()).isEqualTo(1_024);
        for (long k = 0; k < 600; k++) {
            table.put(k, "v" + k);
        }
        assertThat(table.slots()).isEqualTo(2_048);
        for (long k = 600; k < 150_000; k++) {
            table.put(k, "v" + k);
        }
        assertThat(table.slots()).isEqualTo(SpiTable.slotsFor(100_000)).isEqualTo(262_144);
        assertThat(table.size()).isEqualTo(100_000);
        assertThat(table.footprint()).isEqualTo(262_144L * 13);

        table.clear();
        assertThat(table.slots()).isEqualTo(1_024);
    }
}
