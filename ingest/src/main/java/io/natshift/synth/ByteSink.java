package io.natshift.synth;

import java.util.Arrays;

/** A reusable big-endian byte buffer that messages are written into; lengths are patched in place. */
public final class ByteSink {
    private byte[] b;
    private int size;

    public ByteSink(int capacity) {
        b = new byte[capacity];
    }

    public void clear() {
        size = 0;
    }

    public int size() {
        return size;
    }

    public byte[] array() {
        return b;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(b, size);
    }

    private void ensure(int more) {
        if (size + more > b.length) {
            b = Arrays.copyOf(b, Math.max(b.length * 2, size + more));
        }
    }

    public ByteSink u8(int v) {
        ensure(1);
        b[size++] = (byte) v;
        return this;
    }

    public ByteSink u16(int v) {
        ensure(2);
        b[size++] = (byte) (v >>> 8);
        b[size++] = (byte) v;
        return this;
    }

    public ByteSink u32(long v) {
        ensure(4);
        b[size++] = (byte) (v >>> 24);
        b[size++] = (byte) (v >>> 16);
        b[size++] = (byte) (v >>> 8);
        b[size++] = (byte) v;
        return this;
    }

    public ByteSink u64(long v) {
        u32(v >>> 32);
        return u32(v & 0xFFFFFFFFL);
    }

    public ByteSink bytes(byte[] src) {
        return bytes(src, 0, src.length);
    }

    public ByteSink bytes(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, b, size, len);
        size += len;
        return this;
    }

    /** Appends {@code len} bytes from the generator's random stream (key exchange values, nonces, ciphertext). */
    public ByteSink random(java.util.random.RandomGenerator random, int len) {
        ensure(len);
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            long r = random.nextLong();
            for (int k = 0; k < 8; k++) {
                b[size + i + k] = (byte) (r >>> (8 * k));
            }
        }
        if (i < len) {
            long r = random.nextLong();
            for (; i < len; i++) {
                b[size + i] = (byte) r;
                r >>>= 8;
            }
        }
        size += len;
        return this;
    }

    public ByteSink zeros(int len) {
        ensure(len);
        Arrays.fill(b, size, size + len, (byte) 0);
        size += len;
        return this;
    }

    public void setU8(int at, int v) {
        b[at] = (byte) v;
    }

    public void setU16(int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    public void setU32(int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    public int u8At(int at) {
        return b[at] & 0xFF;
    }
}
