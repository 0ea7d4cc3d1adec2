package io.natshift.capture;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPOutputStream;

/** Hand-built capture files, field by field as the pcap and pcapng specifications lay them out. */
final class CaptureBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private ByteOrder order;

    private CaptureBytes(ByteOrder order) {
        this.order = order;
    }

    static CaptureBytes pcap(ByteOrder order, int magic, int snaplen, int linkType) {
        CaptureBytes c = new CaptureBytes(order);
        c.u32(magic).u16(2).u16(4).u32(0).u32(0).u32(snaplen).u32(linkType);
        return c;
    }

    static CaptureBytes pcapng() {
        return new CaptureBytes(ByteOrder.BIG_ENDIAN);
    }

    CaptureBytes record(long seconds, long fraction, byte[] frame) {
        return record(seconds, fraction, frame.length, frame.length, frame);
    }

    CaptureBytes record(long seconds, long fraction, int captured, int original, byte[] frame) {
        return u32((int) seconds).u32((int) fraction).u32(captured).u32(original).bytes(frame);
    }

    /** Section header block; every following block uses this byte order. */
    CaptureBytes shb(ByteOrder sectionOrder) {
        order = sectionOrder;
        ByteBuffer body = body(16).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L);
        return block(0x0A0D0D0A, body);
    }

    CaptureBytes idb(int linkType, int snaplen, byte[] options) {
        ByteBuffer body = body(8 + options.length).putShort((short) linkType).putShort((short) 0).putInt(snaplen).put(options);
        return block(1, body);
    }

    /** if_tsresol (code 9) and if_tsoffset (code 14) options, end of options last. */
    byte[] tsOptions(Integer tsresol, Long tsoffset) {
        ByteBuffer o = ByteBuffer.allocate(32).order(order);
        if (tsresol != null) {
            o.putShort((short) 9).putShort((short) 1).put((byte) (int) tsresol).put(new byte[3]);
        }
        if (tsoffset != null) {
            o.putShort((short) 14).putShort((short) 8).putLong(tsoffset);
        }
        o.putInt(0);
        byte[] b = new byte[o.position()];
        o.flip().get(b);
        return b;
    }

    CaptureBytes epb(int iface, long timestamp, byte[] frame, int original) {
        ByteBuffer body = body(20 + padded(frame.length)).putInt(iface).putInt((int) (timestamp >>> 32)).putInt((int) timestamp)
                .putInt(frame.length).putInt(original).put(frame);
        return block(6, body);
    }

    CaptureBytes obsoletePacketBlock(int iface, long timestamp, byte[] frame) {
        ByteBuffer body = body(20 + padded(frame.length)).putShort((short) iface).putShort((short) 0)
                .putInt((int) (timestamp >>> 32)).putInt((int) timestamp).putInt(frame.length).putInt(frame.length).put(frame);
        return block(2, body);
    }

    CaptureBytes spb(byte[] frame, int original) {
        ByteBuffer body = body(4 + padded(frame.length)).putInt(original).put(frame);
        return block(3, body);
    }

    CaptureBytes block(int type, byte[] body) {
        return block(type, body(padded(body.length)).put(body));
    }

    private CaptureBytes block(int type, ByteBuffer body) {
        int total = 12 + body.capacity();
        return u32(type).u32(total).bytes(body.array()).u32(total);
    }

    private ByteBuffer body(int size) {
        return ByteBuffer.allocate(padded(size)).order(order);
    }

    private static int padded(int n) {
        return (n + 3) & ~3;
    }

    CaptureBytes u32(int v) {
        return bytes(ByteBuffer.allocate(4).order(order).putInt(v).array());
    }

    CaptureBytes u16(int v) {
        return bytes(ByteBuffer.allocate(2).order(order).putShort((short) v).array());
    }

    CaptureBytes bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    byte[] toBytes() {
        return out.toByteArray();
    }

    static byte[] gzip(byte[] plain) throws java.io.IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(plain);
        }
        return b.toByteArray();
    }

    static byte[] frame(int size, int seed) {
        byte[] f = new byte[size];
        for (int i = 0; i < size; i++) {
            f[i] = (byte) (seed * 31 + i);
        }
        return f;
    }
}
