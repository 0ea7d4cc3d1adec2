package io.natshift.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputWindowTest {
    @TempDir
    Path dir;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Reads everything in requests of varying size, as the capture readers do. */
    private static byte[] readAll(InputWindow in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SplittableRandom sizes = new SplittableRandom(5);
        while (true) {
            int want = 1 + sizes.nextInt(90);
            if (!in.request(want)) {
                out.write(in.buffer, in.pos, in.available());
                in.pos += in.available();
                return out.toByteArray();
            }
            out.write(in.buffer, in.pos, want);
            in.pos += want;
        }
    }

    @Test
    void shouldReadAFileByteForByteAcrossWindowAndMappedRegionBoundaries() throws IOException {
        byte[] content = random(100_003, 1);
        Path file = Files.write(dir.resolve("f.bin"), content);

        try (InputWindow in = InputWindow.ofFile(FileChannel.open(file, StandardOpenOption.READ), "f.bin", 97, 1_000)) {
            assertThat(readAll(in)).isEqualTo(content);
            assertThat(in.offset()).isEqualTo(content.length);
        }
    }

    @Test
    void shouldReadOnToTheNewEndOfAFileThatGrowsBeforeItsEndIsReached() throws IOException {
        byte[] first = random(5_000, 2);
        byte[] more = random(7_000, 3);
        Path file = Files.write(dir.resolve("growing.bin"), first);

        try (InputWindow in = InputWindow.ofFile(FileChannel.open(file, StandardOpenOption.READ), "growing.bin", 256, 4_096)) {
            assertThat(in.request(100)).isTrue();
            byte[] start = java.util.Arrays.copyOfRange(in.buffer, in.pos, in.pos + 100);
            in.pos += 100;
            Files.write(file, more, StandardOpenOption.APPEND);
            byte[] rest = readAll(in);

            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(start);
            all.write(rest);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write(first);
            expected.write(more);
            assertThat(all.toByteArray()).isEqualTo(expected.toByteArray());
        }
    }
}
