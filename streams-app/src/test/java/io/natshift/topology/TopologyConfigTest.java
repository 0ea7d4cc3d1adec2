package io.natshift.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class TopologyConfigTest {
    @Test
    void shouldReadTheSaStateSettingsAndRejectCountsTheyCannotHold() {
        TopologyConfig c = TopologyConfig.from(Map.of("natshift.state.object.cache", "1000", "natshift.state.packed.bytes", "0"));
        assertThat(c.stateObjectCache()).isEqualTo(1_000);
        assertThat(c.statePackedBytes()).isZero();
        assertThat(TopologyConfig.defaults().statePackedBytes()).isEqualTo(32L << 20);

        assertThatThrownBy(() -> TopologyConfig.from(Map.of("natshift.state.object.cache", "1073741824")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("natshift.state.object.cache");
        // beyond an int: an error, not the low 32 bits (5)
        assertThatThrownBy(() -> TopologyConfig.from(Map.of("natshift.state.object.cache", "4294967301")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("natshift.state.object.cache must be at most");
        assertThatThrownBy(() -> TopologyConfig.from(Map.of("natshift.max.live.sas.per.task", "4294967296")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("natshift.max.live.sas.per.task must be at most");
        assertThatThrownBy(() -> TopologyConfig.from(Map.of("natshift.state.packed.bytes", "-1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("natshift.state.packed.bytes");
    }
}
