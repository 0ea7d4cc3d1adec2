package io.natshift.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Avro binary encoding into one growable array, for hand-written codecs: zig-zag varints, strings
 * as length + UTF-8, fixed as raw bytes. Produces exactly the bytes of Avro's BinaryEncoder (which
 * always writes minimal varints and one block per non-empty array).
 */
final class AvroOut {
    private byte[] buf;
    private int pos;

    AvroOut(int initialCapacity) {
        buf = new byte[initialCapacity];
    }

    void reset() {
        pos = 0;
    }

    byte[] copy() {
        return Arrays.copyOf(buf, pos);
    }

    private void ensure(int more) {
        if (buf.length - pos < more) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }

    void writeRaw(byte[] bytes, int offset, int length) {
        ensure(length);
        System.arraycopy(bytes, offset, buf, pos, length);
        pos += length;
    }

    void writeBoolean(boolean b) {
        ensure(1);
        buf[pos++] = b ? (byte) 1 : (byte) 0;
    }

    void writeInt(int n) {
        ensure(5);
        int z = (n << 1) ^ (n >> 31);
        while ((z & ~0x7F) != 0) {
            buf[pos++] = (byte) ((z & 0x7F) | 0x80);
            z >>>= 7;
        }
        buf[pos++] = (byte) z;
    }

    void writeLong(long n) {
        ensure(10);
        long z = (n << 1) ^ (n >> 63);
        while ((z & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((z & 0x7F) | 0x80);
            z >>>= 7;
        }
        buf[pos++] = (byte) z;
    }

    /** IEEE 754 bits, little-endian, as Avro's BinaryEncoder.writeDouble. */
    void writeDouble(double d) {
        ensure(8);
        long bits = Double.doubleToRawLongBits(d);
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) (bits >>> (8 * i));
        }
    }

    void writeString(String s) {
        // String.getBytes checks a Latin-1 string for non-ASCII and copies it with intrinsics,
        // faster than a charAt loop over the ~100 characters of addresses, ids and hex per record
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        writeInt(utf8.length);
        writeRaw(utf8, 0, utf8.length);
    }

    /** An array of strings as Avro's BinaryEncoder writes it: one block with the count, then 0; empty is just the 0. */
    void writeStrings(List<?> items) {
        if (!items.isEmpty()) {
            writeLong(items.size());
            for (Object item : items) {
                writeString(item.toString());
            }
        }
        writeLong(0);
    }

    /** Avro writes the schema's size from the datum's bytes: fewer bytes fail, more are cut. */
    void writeFixed(byte[] bytes, int size) {
        if (bytes.length < size) {
            throw new ArrayIndexOutOfBoundsException("fixed of size " + size + " holds only " + bytes.length + " bytes");
        }
        writeRaw(bytes, 0, size);
    }
}
