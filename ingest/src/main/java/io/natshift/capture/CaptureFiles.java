package io.natshift.capture;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens capture files by their content, never their name: classic pcap and pcapng, plain or
 * gzip-compressed, are read in pure Java; variants only libpcap knows (the modified "Kuznetzov"
 * pcap of old Red Hat tcpdump) go through {@link Pcap4jFileReader}.
 */
public final class CaptureFiles {
    /** Lazy: starting the logging backend costs a short-lived `decode` more than reading a small file. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(CaptureFiles.class);
    }

    static final int GZIP_MAGIC = 0x1f8b;
    static final int PCAP_MICROS = PcapFileReader.MAGIC_MICROS;
    static final int PCAP_NANOS = PcapFileReader.MAGIC_NANOS;
    static final int PCAP_KUZNETZOV = 0xa1b2cd34;
    static final int PCAPNG = PcapngFileReader.SECTION_HEADER_BLOCK;
    private static final int MAGIC_SIZE = 4;
    private static final int GZIP_BUFFER = 1 << 16;

    private CaptureFiles() {
    }

    /** Throws NoSuchFileException for a missing file, CaptureFormatException for anything that is not a readable capture. */
    public static CaptureReader open(Path path) throws IOException {
        return open(path, InputWindow.DEFAULT_CAPACITY);
    }

    /** With a chosen read window: tests use tiny ones so records straddle every refill boundary. */
    static CaptureReader open(Path path, int windowCapacity) throws IOException {
        String source = path.toString();
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        long size = channel.size();
        InputWindow in = InputWindow.ofFile(channel, source, windowCapacity);
        try {
            in.request(MAGIC_SIZE);
            if (in.available() >= 2 && (u16be(in.buffer, in.pos)) == GZIP_MAGIC) {
                in.close();
                CountingInputStream compressed = new CountingInputStream(Files.newInputStream(path));
                InputWindow inflated;
                try {
                    inflated = InputWindow.ofCompressed(new GZIPInputStream(compressed, GZIP_BUFFER), source, windowCapacity);
                } catch (IOException e) {
                    compressed.close();
                    throw new CaptureFormatException(source + ": gzip header unreadable: " + e.getMessage(), e);
                }
                return open(path, source, inflated, size, compressed::count, true);
            }
            return open(path, source, in, size, null, false);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static CaptureReader open(Path path, String source, InputWindow in, long size,
                                      LongSupplier bytesRead, boolean compressed) throws IOException {
        try {
            in.request(MAGIC_SIZE);
            if (in.available() < MAGIC_SIZE) {
                throw new CaptureFormatException(source + ": not a capture file: " + (compressed ? "decompressed data has " : "")
                        + "only " + in.available() + " bytes" + firstBytes(in));
            }
            int magic = u32be(in.buffer, in.pos);
            if (magic == PCAP_MICROS || magic == PCAP_NANOS
                    || Integer.reverseBytes(magic) == PCAP_MICROS || Integer.reverseBytes(magic) == PCAP_NANOS) {
                return new PcapFileReader(source, in, size, bytesRead, compressed);
            }
            if (magic == PCAPNG) {
                return new PcapngFileReader(source, in, size, bytesRead, compressed);
            }
            if (magic == PCAP_KUZNETZOV || Integer.reverseBytes(magic) == PCAP_KUZNETZOV) {
                if (compressed) {
                    throw new CaptureFormatException(source + ": gzip-compressed modified (Kuznetzov) pcap: only libpcap reads"
                            + " this variant and it does not decompress; gunzip it first");
                }
                in.close();
                Log.LOG.warn("{}: modified (Kuznetzov, magic 0xa1b2cd34) pcap, reading it through libpcap", source);
                return new Pcap4jFileReader(path);
            }
            throw new CaptureFormatException(source + ": " + (compressed ? "gzip-compressed, but " : "")
                    + "not a pcap or pcapng capture" + firstBytes(in));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static String firstBytes(InputWindow in) {
        int n = Math.min(in.available(), 8);
        if (n == 0) {
            return "";
        }
        StringBuilder s = new StringBuilder(" (first bytes:");
        for (int i = 0; i < n; i++) {
            s.append(String.format(" %02x", in.buffer[in.pos + i] & 0xFF));
        }
        return s.append(')').toString();
    }

    private static int u16be(byte[] b, int p) {
        return (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
    }

    private static int u32be(byte[] b, int p) {
        return WindowedReader.u32(b, p, true);
    }

    /** Compressed bytes consumed, so progress of a gzip capture is measured against its size on disk. */
    private static final class CountingInputStream extends FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }

        long count() {
            return count;
        }
    }
}
