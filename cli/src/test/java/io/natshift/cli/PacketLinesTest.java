package io.natshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class PacketLinesTest {

    private static String written(long... values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PacketLines lines = PacketLines.of(PacketLines.Format.TSV, bytes);
        for (long v : values) {
            lines.ensure(32);
            lines.number(v);
            lines.ascii(' ');
        }
        lines.flush();
        return bytes.toString(StandardCharsets.US_ASCII);
    }

    private static String expected(long... values) {
        StringBuilder s = new StringBuilder();
        for (long v : values) {
            s.append(v).append(' ');
        }
        return s.toString();
    }

    @Test
    void shouldWriteNumbersAtEveryDigitCountBoundaryLikeLongToString() throws IOException {
        List<Long> edges = new ArrayList<>(List.of(0L, 1L, 9L, Long.MAX_VALUE, Long.MIN_VALUE, -1L,
                0xFFFF_FFFFL, 0x1_0000_0000L, 100_000_000L * 0x1_0000_0000L - 1, 100_000_000L * 0x1_0000_0000L,
                1_741_944_000_123_456L, 4_294_967_295L, 100_000_000L, 99_999_999L));
        for (long p = 1; p > 0 && p <= Long.MAX_VALUE / 10; p *= 10) {
            edges.addAll(List.of(p - 1, p, p + 1, -p, 10 * p - 1));
        }
        long[] values = edges.stream().mapToLong(Long::longValue).toArray();

        assertThat(written(values)).isEqualTo(expected(values));
    }

    @Test
    void shouldWriteRandomNumbersOfEveryMagnitudeLikeLongToString() throws IOException {
        SplittableRandom random = new SplittableRandom(11);
        long[] values = new long[100_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextLong() >> random.nextInt(64);
        }

        assertThat(written(values)).isEqualTo(expected(values));
    }

    @Test
    void shouldWriteEveryIpv4OctetAndHexByteLikeTheJdk() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PacketLines lines = PacketLines.of(PacketLines.Format.TSV, bytes);
        StringBuilder expected = new StringBuilder();
        SplittableRandom random = new SplittableRandom(3);
        for (int x = 0; x < 256; x++) {
            byte[] address = {(byte) x, (byte) (255 - x), (byte) (x / 3), (byte) random.nextInt(256)};
            long spi = random.nextLong();
            lines.ensure(128);
            lines.address(address);
            lines.ascii(' ');
            lines.hex64(spi);
            lines.ascii(' ');
            lines.hexBytes(address);
            lines.ascii('\n');
            expected.append(java.net.InetAddress.getByAddress(address).getHostAddress()).append(' ')
                    .append(String.format("%016x", spi)).append(' ')
                    .append(java.util.HexFormat.of().formatHex(address)).append('\n');
        }
        lines.flush();

        assertThat(bytes.toString(StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
    }
}
