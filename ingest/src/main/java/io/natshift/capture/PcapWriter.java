package io.natshift.capture;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes classic pcap files (microsecond timestamps, little-endian, as libpcap writes on x86).
 * Streams: memory use does not grow with the number of packets.
 * <pre>
 * global header: magic 0xa1b2c3d4 (4) | version 2 (2) | 4 (2) | thiszone (4) | sigfigs (4) | snaplen (4) | linktype (4)
 * record header: ts_sec (4) | ts_usec (4) | incl_len (4) | orig_len (4)
 * </pre>
 */
public final class PcapWriter implements Closeable {
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    public static final int GLOBAL_HEADER_SIZE = 24;
    public static final int RECORD_HEADER_SIZE = 16;
    public static final int DEFAULT_SNAPLEN = 262144;

    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);

    public PcapWriter(OutputStream out, int linkType) throws IOException {
        this.out = out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 1 << 16);
        ByteBuffer global = ByteBuffer.allocate(GLOBAL_HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        global.putInt(MAGIC_MICROS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(DEFAULT_SNAPLEN).putInt(linkType);
        this.out.write(global.array());
    }

    public void write(long timestampMicros, byte[] frame, int offset, int length) throws IOException {
        header.clear();
        header.putInt((int) Math.floorDiv(timestampMicros, 1_000_000L))
                .putInt((int) Math.floorMod(timestampMicros, 1_000_000L))
                .putInt(length)
                .putInt(length);
        out.write(header.array());
        out.write(frame, offset, length);
    }

    public void write(long timestampMicros, byte[] frame) throws IOException {
        write(timestampMicros, frame, 0, frame.length);
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
