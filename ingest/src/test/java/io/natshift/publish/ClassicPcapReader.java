package io.natshift.publish;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import io.natshift.capture.CaptureFormatException;
import io.natshift.capture.CaptureReader;

/** Test-only classic pcap reader (either byte order, micro/nano), used until CaptureFiles is on main. */
final class ClassicPcapReader implements CaptureReader {
    private final DataInputStream in;
    private final String source;
    private final long total;
    private final ByteOrder order;
    private final boolean nanos;
    private final int linkType;
    private final byte[] header = new byte[16];
    private byte[] buffer = new byte[65536];
    private long frame;
    private long ts;
    private int length;
    private int origLength;
    private long bytes = 24;

    ClassicPcapReader(Path file) throws IOException {
        this.source = file.toString();
        this.total = Files.size(file);
        InputStream raw = Files.newInputStream(file);
        this.in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16));
        byte[] global = new byte[24];
        in.readFully(global);
        int magic = ByteBuffer.wrap(global).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (Integer.reverseBytes(magic) == 0xa1b2c3d4 || Integer.reverseBytes(magic) == 0xa1b23c4d) {
            order = ByteOrder.BIG_ENDIAN;
            magic = Integer.reverseBytes(magic);
        } else {
            throw new CaptureFormatException(file + ": not a classic pcap file");
        }
        nanos = magic == 0xa1b23c4d;
        linkType = ByteBuffer.wrap(global, 20, 4).order(order).getInt() & 0xffff;
    }

    @Override
    public boolean next() throws IOException {
        try {
            in.readFully(header);
        } catch (EOFException e) {
            return false;
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(order);
        long sec = h.getInt() & 0xffffffffL;
        long frac = h.getInt() & 0xffffffffL;
        length = h.getInt();
        origLength = h.getInt();
        if (length > buffer.length) {
            buffer = new byte[length];
        }
        in.readFully(buffer, 0, length);
        ts = sec * 1_000_000L + (nanos ? frac / 1000 : frac);
        frame++;
        bytes += 16 + length;
        return true;
    }

    @Override public long frameNumber() { return frame; }
    @Override public long timestampMicros() { return ts; }
    @Override public int linkType() { return linkType; }
    @Override public byte[] buffer() { return buffer; }
    @Override public int offset() { return 0; }
    @Override public int length() { return length; }
    @Override public int originalLength() { return origLength; }
    @Override public String source() { return source; }
    @Override public long bytesRead() { return bytes; }
    @Override public long totalBytes() { return total; }
    @Override public void close() throws IOException { in.close(); }
}
