package io.natshift.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class MergedCaptureReaderTest {

    /** Frames given as timestamps; fails with CaptureFormatException after {@code goodFrames} when damaged. */
    static final class ListReader implements CaptureReader {
        private final String name;
        private final long[] times;
        private final int goodFrames;
        private int index = -1;
        boolean closed;

        ListReader(String name, int goodFrames, long... times) {
            this.name = name;
            this.times = times;
            this.goodFrames = goodFrames;
        }

        @Override
        public boolean next() throws IOException {
            if (index + 1 == goodFrames) {
                throw new CaptureFormatException(name + ": cut off in frame " + (goodFrames + 1));
            }
            return ++index < times.length;
        }

        @Override public long frameNumber() { return index + 1; }
        @Override public long timestampMicros() { return times[index]; }
        @Override public int linkType() { return 1; }
        @Override public byte[] buffer() { return new byte[0]; }
        @Override public int offset() { return 0; }
        @Override public int length() { return 0; }
        @Override public int originalLength() { return 0; }
        @Override public String source() { return name; }
        @Override public long bytesRead() { return index + 1; }
        @Override public long totalBytes() { return times.length; }
        @Override public void close() { closed = true; }
    }

    private static List<String> drain(MergedCaptureReader merged) throws IOException {
        List<String> order = new ArrayList<>();
        while (merged.next()) {
            order.add(merged.source() + "#" + merged.frameNumber() + "@" + merged.timestampMicros());
        }
        return order;
    }

    @Test
    void shouldInterleaveCapturesInCaptureTimeOrderAndKeepFileOrderOnTies() throws IOException {
        MergedCaptureReader merged = new MergedCaptureReader(List.of(
                new ListReader("a", -1, 10, 30, 30, 50),
                new ListReader("b", -1, 20, 30, 40)));

        assertThat(drain(merged)).containsExactly("a#1@10", "b#1@20", "a#2@30", "a#3@30", "b#2@30", "b#3@40", "a#4@50");
        assertThat(merged.damaged()).isEmpty();
        assertThat(merged.totalBytes()).isEqualTo(7);
    }

    @Test
    void shouldKeepGoodFramesAndOtherFilesWhenOneCaptureIsDamaged() throws IOException {
        ListReader damaged = new ListReader("cut.pcap", 2, 10, 20, 30, 40);
        ListReader good = new ListReader("good.pcap", -1, 15, 35);
        MergedCaptureReader merged = new MergedCaptureReader(List.of(damaged, good));

        assertThat(drain(merged)).containsExactly("cut.pcap#1@10", "good.pcap#1@15", "cut.pcap#2@20", "good.pcap#2@35");
        assertThat(merged.damaged()).containsExactly("cut.pcap: cut off in frame 3");
        merged.close();
        assertThat(damaged.closed).isTrue();
        assertThat(good.closed).isTrue();
    }
}
