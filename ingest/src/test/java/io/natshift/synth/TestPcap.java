package io.natshift.synth;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Test-only reader for the classic little-endian microsecond pcap files PcapWriter writes, so synth
 * tests check the bytes on disk, independently of the generator. (The product reader is
 * io.natshift.capture.CaptureFiles.)
 */
final class TestPcap {
    record Record(int frame, long timestampMicros, byte[] data) {
    }

    static List<Record> readAll(Path file) throws IOException {
        List<Record> all = new ArrayList<>();
        forEach(file, all::add);
        return all;
    }

    static int forEach(Path file, Consumer<Record> consumer) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return forEach(in, consumer);
        }
    }

    static int forEach(InputStream raw, Consumer<Record> consumer) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        byte[] global = new byte[24];
        in.readFully(global);
        ByteBuffer g = ByteBuffer.wrap(global).order(ByteOrder.LITTLE_ENDIAN);
        if (g.getInt(0) != 0xa1b2c3d4) {
            throw new IOException("not a little-endian microsecond pcap");
        }
        if (g.getInt(20) != 1) {
            throw new IOException("link type " + g.getInt(20) + ", expected Ethernet");
        }
        byte[] header = new byte[16];
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int frame = 0;
        while (true) {
            try {
                in.readFully(header);
            } catch (EOFException end) {
                return frame;
            }
            long micros = (h.getInt(0) & 0xFFFFFFFFL) * 1_000_000L + h.getInt(4);
            int incl = h.getInt(8);
            byte[] data = new byte[incl];
            in.readFully(data);
            consumer.accept(new Record(++frame, micros, data));
        }
    }
}
