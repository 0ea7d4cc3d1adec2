package io.natshift.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PackedStatesTest {

    private static SaStateStore.Entry packed(int size) {
        SaStateStore.Entry e = new SaStateStore.Entry(null, null, false);
        e.encoded = new byte[size];
        return e;
    }

    @Test
    void shouldStayWithinItsBudgetAndHandEveryPushedOutStateToTheCallback() {
        List<Long> evicted = new ArrayList<>();
        PackedStates states = new PackedStates(16_384, (spi, p) -> evicted.add(spi));

        for (long spi = 1; spi <= 200; spi++) {
            states.put(spi, packed(100));
            assertThat(states.bytes()).isLessThanOrEqualTo(16_384);
        }

        assertThat(evicted).isNotEmpty();
        Set<Long> all = new HashSet<>(evicted);
        for (long spi = 1; spi <= 200; spi++) {
            if (states.get(spi) != null) {
                assertThat(all.add(spi)).as("held and evicted: %d", spi).isTrue();
            }
        }
        assertThat(all).hasSize(200);
        assertThat(evicted.size() + states.size()).isEqualTo(200);
    }

    @Test
    void shouldSpareAStateReadSinceTheLastSweep() {
        List<Long> evicted = new ArrayList<>();
        PackedStates states = new PackedStates(16_384, (spi, p) -> evicted.add(spi));
        long spi = 1;
        while (evicted.isEmpty()) {
            states.put(spi++, packed(100));   // the first push-out swept every reference bit clear
        }
        long kept = spi - 2;   // put before the sweep, so cleared, then read
        states.get(kept);
        for (int i = 0; i < states.size() - 1; i++) {
            states.put(spi++, packed(100));
        }
        assertThat(states.get(kept)).isNotNull();
    }

    @Test
    void shouldAccountForAReplacedOrRemovedState() {
        PackedStates states = new PackedStates(16_384, (spi, p) -> { });
        long empty = states.bytes();
        states.put(7, packed(100));
        states.put(7, packed(300));
        assertThat(states.bytes()).isEqualTo(empty + 300 + PackedStates.ENTRY_OVERHEAD);
        assertThat(states.remove(7).encoded).hasSize(300);
        assertThat(states.bytes()).isEqualTo(empty);
        assertThat(states.size()).isZero();
    }
}
