package io.natshift.topology.correlation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class CountsTest {
    private static Counts.Pool fullPool() {
        Counts.Pool p = new Counts.Pool();
        p.floats = 123_456;
        p.paired = 100_000;
        p.shifts = 23_456;
        p.failedByShift = 7;
        p.firstMillis = 1_741_944_000_000L;
        for (int i = 0; i < 5_000; i++) {
            p.subscribers.add("198.51." + (i / 250) + "." + (i % 250));
        }
        return p;
    }

    /** The layout the pool stores' changelogs were written in before the bulk serde: DataOutputStream, big-endian. */
    private static byte[] streamLayout(Counts.Pool p) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(1);
        out.writeLong(p.floats);
        out.writeLong(p.paired);
        out.writeLong(p.shifts);
        out.writeLong(p.failedByShift);
        out.writeLong(p.firstMillis);
        out.writeShort(p.subscribers.hashes.length);
        for (long h : p.subscribers.hashes) {
            out.writeLong(h);
        }
        return bytes.toByteArray();
    }

    @Test
    void shouldWriteAPoolWithAFullSketchInTheLayoutEarlierChangelogsHold() throws IOException {
        Counts.Pool p = fullPool();
        assertThat(p.subscribers.hashes).hasSize(DistinctSketch.K);

        byte[] bytes = Counts.poolSerde().serializer().serialize("t", p);

        assertThat(bytes).isEqualTo(streamLayout(p));
    }

    @Test
    void shouldReadBackEveryCountAndTheWholeSketch() {
        Counts.Pool p = fullPool();
        var serde = Counts.poolSerde();

        Counts.Pool back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", p));

        assertThat(new long[] {back.floats, back.paired, back.shifts, back.failedByShift, back.firstMillis})
                .containsExactly(p.floats, p.paired, p.shifts, p.failedByShift, p.firstMillis);
        assertThat(back.subscribers.hashes).isEqualTo(p.subscribers.hashes);
        assertThat(back.subscribers.estimate()).isEqualTo(p.subscribers.estimate());
    }

    @Test
    void shouldRefuseATruncatedPoolStateWithAMessageNamingTheTopic() {
        var serde = Counts.poolSerde();
        byte[] bytes = serde.serializer().serialize("t", fullPool());

        assertThatThrownBy(() -> serde.deserializer().deserialize("pool-stats-1h-store-changelog", Arrays.copyOf(bytes, bytes.length - 3)))
                .hasMessageContaining("truncated").hasMessageContaining("pool-stats-1h-store-changelog");
    }
}
