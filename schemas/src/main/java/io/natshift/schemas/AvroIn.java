package io.natshift.schemas;

import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.avro.AvroRuntimeException;

/**
 * Avro binary decoding from a byte array, for hand-written codecs. Bounds are checked before every
 * read; lengths and counts are attacker input, so each is checked against the bytes left before
 * anything is allocated. Varints are decoded exactly as Avro's BinaryDecoder decodes them (high bits
 * of an over-long fifth/tenth byte dropped, a continuation bit there rejected).
 */
final class AvroIn {
    private final byte[] buf;
    private final int limit;
    private int pos;

    AvroIn(byte[] buf, int offset) {
        this.buf = buf;
        this.pos = offset;
        this.limit = buf.length;
    }

    private EOFException truncated(int needed) throws EOFException {
        throw new EOFException("record truncated: needs " + needed + " more bytes at offset " + pos + " of " + limit);
    }

    private int nextByte() throws EOFException {
        if (pos >= limit) {
            truncated(1);
        }
        return buf[pos++] & 0xFF;
    }

    boolean readBoolean() throws EOFException {
        // Avro reads any byte but 1 as false
        return nextByte() == 1;
    }

    int readInt() throws EOFException {
        int n = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = nextByte();
            n ^= (b & 0x7F) << shift;
            if (b <= 0x7F) {
                return (n >>> 1) ^ -(n & 1);
            }
        }
        throw new AvroRuntimeException("Invalid int encoding at offset " + (pos - 5));
    }

    long readLong() throws EOFException {
        long n = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = nextByte();
            n ^= (long) (b & 0x7F) << shift;
            if (b <= 0x7F) {
                return (n >>> 1) ^ -(n & 1);
            }
        }
        throw new AvroRuntimeException("Invalid long encoding at offset " + (pos - 10));
    }

    double readDouble() throws EOFException {
        if (limit - pos < 8) {
            truncated(8 - (limit - pos));
        }
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits |= (long) (buf[pos++] & 0xFF) << (8 * i);
        }
        return Double.longBitsToDouble(bits);
    }

    private int readLength(String what) throws EOFException {
        long len = readLong();
        if (len < 0) {
            throw new AvroRuntimeException("Malformed data. " + what + " length is negative: " + len);
        }
        if (len > limit - pos) {
            truncated((int) Math.min(Integer.MAX_VALUE, len - (limit - pos)));
        }
        return (int) len;
    }

    String readString() throws EOFException {
        int len = readLength("String");
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    byte[] readFixed(int size) throws EOFException {
        if (size > limit - pos) {
            truncated(size - (limit - pos));
        }
        byte[] out = new byte[size];
        System.arraycopy(buf, pos, out, 0, size);
        pos += size;
        return out;
    }

    /**
     * Item count of the next array block (0 ends the array). A negative count is followed by the
     * block's size in bytes, which is skipped as Avro skips it. Every item takes at least one byte,
     * so a count above the bytes left is a truncated or corrupt record, caught before allocating.
     */
    int readBlockCount() throws EOFException {
        long count = readLong();
        if (count < 0) {
            readLong();
            count = -count;
        }
        if (count < 0 || count > limit - pos) {
            throw new EOFException("array block of " + count + " items cannot fit in the " + (limit - pos)
                    + " bytes left at offset " + pos);
        }
        return (int) count;
    }

    /** An array of strings; other writers (Avro's buffered encoders) may split it into several blocks. */
    List<String> readStrings() throws EOFException {
        int count = readBlockCount();
        List<String> items = new ArrayList<>(count);
        while (count > 0) {
            for (int i = 0; i < count; i++) {
                items.add(readString());
            }
            count = readBlockCount();
        }
        return items;
    }

    /** Union branch index, checked against the number of branches. */
    int readIndex(int branches) throws EOFException {
        int index = readInt();
        if (index < 0 || index >= branches) {
            throw new AvroRuntimeException("union branch " + index + " out of range [0, " + branches + ") at offset " + pos);
        }
        return index;
    }
}
