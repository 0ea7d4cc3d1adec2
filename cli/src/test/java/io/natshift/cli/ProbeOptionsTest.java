package io.natshift.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProbeOptionsTest {

    @Test
    void shouldReadHeartbeatDurationsInCaptureMicroseconds() {
        assertThat(ProbeOptions.heartbeatMicros("10s")).isEqualTo(10_000_000L);
        assertThat(ProbeOptions.heartbeatMicros("500ms")).isEqualTo(500_000L);
        assertThat(ProbeOptions.heartbeatMicros("1m")).isEqualTo(60_000_000L);
        assertThat(ProbeOptions.heartbeatMicros("0")).isZero();
        assertThat(ProbeOptions.heartbeatMicros("off")).isZero();
    }

    @Test
    void shouldNameTheOptionWhenTheDurationIsNotOne() {
        assertThatThrownBy(() -> ProbeOptions.heartbeatMicros("soon")).hasMessageContaining("--heartbeat").hasMessageContaining("soon");
    }
}
