package io.natshift.capture;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.ZipException;

/**
 * A sliding window over a byte stream: records are parsed in place in {@link #buffer} (no copy per
 * frame), refilled with large reads. The buffer only grows when one record is larger than it,
 * and callers cap record sizes before asking for them.
 */
final class InputWindow implements AutoCloseable {
    static final int DEFAULT_CAPACITY = 1 << 22;
    /** How much of a file is mapped at a time. */
    private static final long REGION_BYTES = 1L << 28;

    /** A regular file, read through memory-mapped regions of it; or else {@link #stream}. */
    private final FileChannel file;
    private final InputStream stream;
    byte[] buffer;
    /** Next unread byte. */
    int pos;
    /** End of valid data in {@link #buffer}. */
    int limit;
    /** Stream offset of buffer[0]. */
    private long base;
    private boolean eof;
    /** A compressed input whose stream ended before its end marker. */
    private boolean compressedCut;

    private final String source;

    private final long regionBytes;
    private MappedByteBuffer region;
    private long regionStart;
    private long filePos;

    private InputWindow(FileChannel file, long filePos, long regionBytes, InputStream stream, String source, int capacity) {
        this.file = file;
        this.filePos = filePos;
        this.regionBytes = regionBytes;
        this.stream = stream;
        this.source = source;
        this.buffer = new byte[capacity];
    }

    /**
     * A regular file, read through memory-mapped regions: one copy from the page cache into the
     * window, where a read() makes two (the kernel's into NIO's temporary direct buffer, then into
     * the array). A file that grows before its end is reached is read to its new end.
     */
    static InputWindow ofFile(FileChannel file, String source, int capacity) throws IOException {
        return ofFile(file, source, capacity, REGION_BYTES);
    }

    /** With a chosen region size: tests use tiny ones so reads straddle region boundaries. */
    static InputWindow ofFile(FileChannel file, String source, int capacity, long regionBytes) throws IOException {
        return new InputWindow(file, file.position(), regionBytes, null, source, capacity);
    }

    /** A decompressing stream: its format errors become {@link CaptureFormatException}s naming the source. */
    static InputWindow ofCompressed(InputStream stream, String source, int capacity) {
        return new InputWindow(null, 0, 0, stream, source, capacity);
    }

    /** Makes {@code n} bytes from {@link #pos} available; false when the input ends first. */
    boolean request(int n) throws IOException {
        if (limit - pos >= n) {
            return true;
        }
        if (eof) {
            return false;
        }
        if (n > buffer.length - pos) {
            compact(n);
        }
        while (limit - pos < n && !eof) {
            fill();
        }
        return limit - pos >= n;
    }

    /** Bytes available from {@link #pos} without reading more. */
    int available() {
        return limit - pos;
    }

    /** Stream offset of {@link #pos}. */
    long offset() {
        return base + pos;
    }

    /** Skips {@code n} bytes; false when the input ends first. */
    boolean skip(long n) throws IOException {
        while (n > 0) {
            if (pos == limit) {
                if (eof) {
                    return false;
                }
                base += limit;
                pos = 0;
                limit = 0;
                fill();
                continue;
            }
            int step = (int) Math.min(n, limit - pos);
            pos += step;
            n -= step;
        }
        return true;
    }

    private void compact(int n) {
        int remaining = limit - pos;
        byte[] target = n > buffer.length ? new byte[Math.max(n, buffer.length * 2)] : buffer;
        System.arraycopy(buffer, pos, target, 0, remaining);
        base += pos;
        buffer = target;
        pos = 0;
        limit = remaining;
    }

    private void fill() throws IOException {
        int read;
        if (file != null) {
            read = readMapped();
        } else {
            try {
                read = stream.read(buffer, limit, buffer.length - limit);
            } catch (EOFException e) {
                // GZIPInputStream: the compressed file ends mid-stream; what was inflated is still good.
                compressedCut = true;
                read = -1;
            } catch (ZipException e) {
                throw new CaptureFormatException(source + ": gzip data is corrupt after decompressed byte "
                        + (base + limit) + ": " + e.getMessage(), e);
            }
        }
        if (read < 0) {
            eof = true;
        } else {
            limit += read;
        }
    }

    private int readMapped() throws IOException {
        long size = file.size();
        if (filePos >= size) {
            return -1;
        }
        if (region == null || filePos >= regionStart + region.capacity()) {
            regionStart = filePos;
            region = file.map(FileChannel.MapMode.READ_ONLY, filePos, Math.min(size - filePos, regionBytes));
        }
        int offset = (int) (filePos - regionStart);
        int n = (int) Math.min(buffer.length - limit, region.capacity() - offset);
        try {
            region.get(offset, buffer, limit, n);
        } catch (InternalError e) {
            // the JVM's answer to SIGBUS: the file was truncated under the mapping
            throw new IOException("the file shrank while being read (at byte " + filePos + ")", e);
        }
        filePos += n;
        return n;
    }

    boolean compressedCut() {
        return compressedCut;
    }

    @Override
    public void close() throws IOException {
        if (file != null) {
            file.close();
        }
        if (stream != null) {
            stream.close();
        }
    }
}
