package io.natshift.capture;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeoutException;

import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;

/**
 * Capture files read by libpcap itself (pcap and pcapng, as tcpdump reads them), through pcap4j.
 * The fallback where the pure-Java reader is not available; needs libpcap installed.
 */
public final class LibpcapFileReader implements CaptureReader {
    private final Path file;
    private final PcapHandle handle;
    private final int linkType;
    private final long totalBytes;
    private byte[] frame;
    private long number;
    private long micros;
    private int originalLength;
    private long bytes;

    private LibpcapFileReader(Path file, PcapHandle handle, long totalBytes) {
        this.file = file;
        this.handle = handle;
        this.linkType = handle.getDlt().value();
        this.totalBytes = totalBytes;
    }

    public static LibpcapFileReader open(Path file) throws IOException {
        LiveCaptureReader.LibpcapLocation.configure();
        long size = Files.size(file);
        try {
            return new LibpcapFileReader(file, Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO), size);
        } catch (PcapNativeException e) {
            throw new CaptureFormatException(file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean next() throws IOException {
        try {
            frame = handle.getNextRawPacketEx();
        } catch (EOFException e) {
            bytes = totalBytes;
            return false;
        } catch (PcapNativeException e) {
            throw new CaptureFormatException(file + ": after frame " + number + ": " + e.getMessage(), e);
        } catch (TimeoutException | NotOpenException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        number++;
        java.sql.Timestamp ts = handle.getTimestamp();
        micros = Math.floorDiv(ts.getTime(), 1000L) * 1_000_000L + ts.getNanos() / 1000;
        Integer orig = handle.getOriginalLength();
        originalLength = orig == null ? frame.length : orig;
        // libpcap hides its file position; per-record overhead of 16 bytes approximates it for progress
        bytes = Math.min(totalBytes, bytes + 16 + frame.length);
        return true;
    }

    @Override public long frameNumber() { return number; }
    @Override public long timestampMicros() { return micros; }
    @Override public int linkType() { return linkType; }
    @Override public byte[] buffer() { return frame; }
    @Override public int offset() { return 0; }
    @Override public int length() { return frame.length; }
    @Override public int originalLength() { return originalLength; }
    @Override public String source() { return file.toString(); }
    @Override public long bytesRead() { return bytes; }
    @Override public long totalBytes() { return totalBytes; }

    @Override
    public void close() {
        handle.close();
    }
}
