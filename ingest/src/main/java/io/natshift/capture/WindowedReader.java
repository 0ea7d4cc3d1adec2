package io.natshift.capture;

import java.io.IOException;
import java.util.function.LongSupplier;

/** State and error messages shared by the pure-Java file readers: frames are views into the window's buffer. */
abstract class WindowedReader implements CaptureReader {
    /** Frames larger than this (or the file's snaplen, if larger) are corrupt lengths, not frames. */
    static final int MIN_FRAME_CAP = 256 * 1024;
    /** A snaplen field is itself attacker input; beyond this it is not trusted to size buffers. */
    static final int MAX_FRAME_CAP = 16 * 1024 * 1024;

    final String source;
    final InputWindow in;
    private final long totalBytes;
    private final LongSupplier bytesRead;
    private final boolean compressed;

    long frame;
    long timestampMicros;
    int linkType;
    int offset;
    int length;
    int originalLength;

    WindowedReader(String source, InputWindow in, long totalBytes, LongSupplier bytesRead, boolean compressed) {
        this.source = source;
        this.in = in;
        this.totalBytes = totalBytes;
        this.bytesRead = bytesRead == null ? in::offset : bytesRead;
        this.compressed = compressed;
    }

    static int frameCap(int snaplen) {
        long declared = Integer.toUnsignedLong(snaplen);
        return (int) Math.max(MIN_FRAME_CAP, Math.min(declared, MAX_FRAME_CAP));
    }

    static int u32(byte[] b, int p, boolean bigEndian) {
        return bigEndian
                ? (b[p] & 0xFF) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF)
                : (b[p + 3] & 0xFF) << 24 | (b[p + 2] & 0xFF) << 16 | (b[p + 1] & 0xFF) << 8 | (b[p] & 0xFF);
    }

    static int u16(byte[] b, int p, boolean bigEndian) {
        return bigEndian ? (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF) : (b[p + 1] & 0xFF) << 8 | (b[p] & 0xFF);
    }

    static long u64(byte[] b, int p, boolean bigEndian) {
        long first = Integer.toUnsignedLong(u32(b, p, bigEndian));
        long second = Integer.toUnsignedLong(u32(b, p + 4, bigEndian));
        return bigEndian ? first << 32 | second : second << 32 | first;
    }

    /** End of input between records: clean, unless a compressed stream stopped before its end. */
    boolean cleanEnd() throws CaptureFormatException {
        if (in.compressedCut()) {
            throw new CaptureFormatException(source + ": gzip data is cut off after frame " + frame
                    + " (decompressed byte " + in.offset() + ")");
        }
        return false;
    }

    CaptureFormatException cutOff(long frameNumber, long recordOffset, long needed) {
        long end = in.offset() + in.available();
        return new CaptureFormatException(source + ": cut off at byte " + end + where() + " inside frame " + frameNumber
                + " (its record starts at byte " + recordOffset + " and needs " + needed + " bytes, "
                + (end - recordOffset) + " present)" + gzipCut());
    }

    /** A file cut inside a block that is not a frame (pcapng interface, statistics, unknown blocks). */
    CaptureFormatException cutOff(String block, long recordOffset, long needed) {
        long end = in.offset() + in.available();
        return new CaptureFormatException(source + ": cut off at byte " + end + where() + " after frame " + frame
                + ", inside " + block + " starting at byte " + recordOffset + " that needs " + needed + " bytes, "
                + (end - recordOffset) + " present" + gzipCut());
    }

    CaptureFormatException cutOff(String what) {
        long end = in.offset() + in.available();
        return new CaptureFormatException(source + ": cut off at byte " + end + where() + ", " + what + gzipCut());
    }

    CaptureFormatException corrupt(long frameNumber, long recordOffset, String what) {
        return new CaptureFormatException(source + ": frame " + frameNumber + " at byte " + recordOffset + where()
                + ": " + what + "; the file is corrupt");
    }

    CaptureFormatException corrupt(String block, long recordOffset, String what) {
        return new CaptureFormatException(source + ": " + block + " at byte " + recordOffset + where()
                + " after frame " + frame + ": " + what + "; the file is corrupt");
    }

    private String where() {
        return compressed ? " of the decompressed data" : "";
    }

    private String gzipCut() {
        return in.compressedCut() ? "; the gzip data itself is cut off" : "";
    }

    @Override
    public long frameNumber() {
        return frame;
    }

    @Override
    public long timestampMicros() {
        return timestampMicros;
    }

    @Override
    public int linkType() {
        return linkType;
    }

    @Override
    public byte[] buffer() {
        return in.buffer;
    }

    @Override
    public int offset() {
        return offset;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public int originalLength() {
        return originalLength;
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public long bytesRead() {
        return bytesRead.getAsLong();
    }

    @Override
    public long totalBytes() {
        return totalBytes;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
