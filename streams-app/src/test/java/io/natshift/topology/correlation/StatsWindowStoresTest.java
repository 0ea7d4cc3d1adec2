package io.natshift.topology.correlation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.junit.jupiter.api.Test;

class StatsWindowStoresTest {
    @Test
    void shouldKeepMinuteWindowsInMemoryAndHourWindowsInRocksDbForSizePlusGrace() {
        WindowBytesStoreSupplier minute = StatsTopology.windowStore("m", Duration.ofMinutes(1), Duration.ofSeconds(150));
        WindowBytesStoreSupplier hour = StatsTopology.windowStore("h", Duration.ofHours(1), Duration.ofSeconds(150));

        assertThat(minute.get().persistent()).isFalse();
        assertThat(hour.get().persistent()).isTrue();
        assertThat(minute.retentionPeriod()).isEqualTo(Duration.ofSeconds(210).toMillis());
        assertThat(hour.retentionPeriod()).isEqualTo(Duration.ofSeconds(3750).toMillis());
        assertThat(hour.windowSize()).isEqualTo(Duration.ofHours(1).toMillis());
    }
}
