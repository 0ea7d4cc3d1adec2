package io.natshift.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class HeartbeatsTest {
    record Tick(int partition, long micros) {
    }

    private final List<Tick> ticks = new ArrayList<>();
    private final Heartbeats.Sink sink = (p, t) -> ticks.add(new Tick(p, t));

    @Test
    void shouldTickEveryQuietPartitionAtIntervalStepsOfCaptureTime() {
        Heartbeats beats = new Heartbeats(2, 10);
        beats.advance(100, sink);
        beats.sent(0, 105);

        beats.advance(125, sink);

        // partition 1 quiet since 100: ticks at 110 and 120; partition 0 had a record at 105: ticks at 115 and 125
        assertThat(ticks).containsExactlyInAnyOrder(new Tick(1, 110), new Tick(1, 120), new Tick(0, 115), new Tick(0, 125));
    }

    @Test
    void shouldNotTickWhileEveryPartitionHasRecentRecords() {
        Heartbeats beats = new Heartbeats(2, 10);
        beats.advance(100, sink);
        for (long t = 101; t < 200; t++) {
            beats.sent(0, t);
            beats.sent(1, t);
            beats.advance(t, sink);
        }

        assertThat(ticks).isEmpty();
    }

    @Test
    void shouldSendOnlyTheLatestTicksOfALongGapAndCountTheRest() {
        Heartbeats beats = new Heartbeats(1, 10);
        beats.advance(0, sink);

        beats.advance(1_000, sink);

        assertThat(ticks).hasSize(Heartbeats.MAX_TICKS_PER_GAP);
        assertThat(ticks.get(ticks.size() - 1)).isEqualTo(new Tick(0, 1_000));
        assertThat(ticks.get(0)).isEqualTo(new Tick(0, 1_000 - 10L * (Heartbeats.MAX_TICKS_PER_GAP - 1)));
        assertThat(beats.capped()).isEqualTo(100 - Heartbeats.MAX_TICKS_PER_GAP);
    }

    @Test
    void shouldIgnoreCaptureTimeGoingBackwards() {
        Heartbeats beats = new Heartbeats(1, 10);
        beats.advance(100, sink);

        beats.advance(50, sink);

        assertThat(ticks).isEmpty();
    }
}
