package io.natshift.capture;

import static io.natshift.capture.CaptureBytes.frame;
import static io.natshift.capture.CaptureFilesTest.ETHERNET;
import static io.natshift.capture.CaptureFilesTest.RAW;
import static io.natshift.capture.CaptureFilesTest.f;
import static io.natshift.capture.CaptureFilesTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.natshift.capture.CaptureFilesTest.Frame;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The readers parse records in place in a window refilled from the file. With tiny windows every
 * record header, block and frame straddles a refill (and forces the window to grow), at every alignment.
 */
class WindowBoundariesTest {
    static final int FRAMES = 300;

    @TempDir
    Path dir;

    static List<Frame> read(Path file, int window) throws IOException {
        try (CaptureReader r = CaptureFiles.open(file, window)) {
            return readAll(r, new ArrayList<>());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64, 333, 4096})
    void shouldReadPcapFramesStraddlingEveryRefill(int window) throws IOException {
        CaptureBytes pcap = CaptureBytes.pcap(ByteOrder.BIG_ENDIAN, 0xa1b23c4d, 65535, RAW);
        List<Frame> expected = new ArrayList<>();
        for (int i = 0; i < FRAMES; i++) {
            byte[] data = frame(i * 7 % 301, i);
            pcap.record(1_000 + i, i * 1_001L, data);
            expected.add(f(i + 1, (1_000L + i) * 1_000_000L + i * 1_001L / 1_000, RAW, data));
        }
        Path plain = Files.write(dir.resolve("w.pcap"), pcap.toBytes());
        Path gz = Files.write(dir.resolve("w.pcap.gz"), CaptureBytes.gzip(pcap.toBytes()));

        assertThat(read(plain, window)).containsExactlyElementsOf(expected);
        assertThat(read(gz, window)).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64, 333, 4096})
    void shouldReadPcapngBlocksStraddlingEveryRefill(int window) throws IOException {
        CaptureBytes ng = CaptureBytes.pcapng();
        List<Frame> expected = new ArrayList<>();
        long lastMicros = 0;
        for (int i = 0; i < FRAMES; i++) {
            if (i % 50 == 0) {
                ng.shb(i % 100 == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN)
                        .idb(ETHERNET, 0, ng.tsOptions(9, null))
                        .idb(RAW, 0, ng.tsOptions(null, 10L));
            }
            byte[] data = frame(i * 13 % 257, i);
            switch (i % 4) {
                case 0 -> {
                    ng.epb(0, 5_000_000_000L * i + 1_999, data, data.length);
                    lastMicros = 5_000_000L * i + 1;
                    expected.add(f(i + 1, lastMicros, ETHERNET, data));
                }
                case 1 -> {
                    ng.obsoletePacketBlock(1, 3L * i, data);
                    lastMicros = 10_000_000L + 3L * i;
                    expected.add(f(i + 1, lastMicros, RAW, data));
                }
                case 2 -> {
                    ng.spb(data, data.length);
                    expected.add(f(i + 1, lastMicros, ETHERNET, data));
                }
                default -> {
                    ng.block(0x40000BAD, frame(i % 37, i)).epb(1, i, data, data.length);
                    lastMicros = 10_000_000L + i;
                    expected.add(f(i + 1, lastMicros, RAW, data));
                }
            }
        }
        Path plain = Files.write(dir.resolve("w.pcapng"), ng.toBytes());
        Path gz = Files.write(dir.resolve("w.pcapng.gz"), CaptureBytes.gzip(ng.toBytes()));

        assertThat(read(plain, window)).containsExactlyElementsOf(expected);
        assertThat(read(gz, window)).containsExactlyElementsOf(expected);
    }
}
