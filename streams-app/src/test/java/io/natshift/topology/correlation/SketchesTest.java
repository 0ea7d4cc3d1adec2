package io.natshift.topology.correlation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SketchesTest {
    @Test
    void shouldCountDistinctExactlyBelowKAndEstimateWithinFivePercentAbove() {
        DistinctSketch small = new DistinctSketch();
        for (int i = 0; i < 1000; i++) {
            small.add("sub" + (i % 500));
        }
        assertThat(small.estimate()).isEqualTo(500);
        DistinctSketch large = new DistinctSketch();
        for (int i = 0; i < 100_000; i++) {
            large.add("10.0." + (i / 256) + "." + (i % 256));
        }
        assertThat(large.hashes).hasSize(DistinctSketch.K);   // bounded
        assertThat(large.estimate()).isBetween(95_000L, 105_000L);
    }

    @Test
    void shouldReportQuantilesAsTheUpperBoundOfTheirBucket() {
        SetupHistogram h = new SetupHistogram();
        assertThat(h.quantile(0.5)).isNull();
        for (int i = 0; i < 95; i++) {
            h.add(100);
        }
        for (int i = 0; i < 5; i++) {
            h.add(60_000);
        }
        assertThat(h.quantile(0.5)).isBetween(100L, 119L);
        assertThat(h.quantile(0.95)).isEqualTo(h.quantile(0.5));
        assertThat(h.quantile(0.96)).isBetween(60_000L, 71_400L);
        h.add(Long.MAX_VALUE);   // beyond the last bound: counted in the last bucket
        assertThat(h.counts[SetupHistogram.BUCKETS - 1]).isEqualTo(1);
    }

    @Test
    void shouldPseudonymizeTheAddressAndKeepThePort() {
        Pseudonymizer p = Pseudonymizer.withSecret("0123456789abcdef");
        assertThat(p.endpoint("10.1.2.3:4500")).isEqualTo(p.address("10.1.2.3") + ":4500");
        assertThat(p.endpoint("[2001:db8::1]:500")).isEqualTo(p.address("2001:db8::1") + ":500");
        assertThat(p.address("10.1.2.3")).isNotEqualTo(p.address("10.1.2.4")).startsWith("anon-");
        assertThat(Pseudonymizer.off().endpoint("10.1.2.3:500")).isEqualTo("10.1.2.3:500");
    }
}
