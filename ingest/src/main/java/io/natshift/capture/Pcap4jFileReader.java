package io.natshift.capture;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.concurrent.TimeoutException;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;

/**
 * Capture files read through libpcap (pcap4j): the fallback for variants {@link CaptureFiles}
 * does not parse itself, and a second path the differential test holds against tshark.
 * One JNA crossing and one array per frame, so several times slower than the pure-Java readers.
 */
public final class Pcap4jFileReader implements CaptureReader {
    static final String INSTALL_HINT = "apt-get install -y libpcap0.8";
    // libpcap's record header is 16 bytes; used only to estimate progress, libpcap does not tell its file position.
    private static final int PCAP_RECORD_HEADER = 16;
    private static final int PCAP_FILE_HEADER = 24;

    private static final int DLT_RAW_LINUX = 12;
    private static final int DLT_RAW_BSDOS = 14;
    private static final int LINKTYPE_RAW = 101;

    private final String source;
    private final PcapHandle handle;
    private final int linkType;
    private final long totalBytes;
    private long frame;
    private long bytesRead = PCAP_FILE_HEADER;
    private byte[] data = new byte[0];
    private long timestampMicros;
    private int originalLength;

    public Pcap4jFileReader(Path path) throws IOException {
        source = path.toString();
        if (!Files.exists(path)) {
            throw new NoSuchFileException(source);
        }
        totalBytes = Files.size(path);
        try {
            // pcap4j reports a missing library only as "function not supported" from openOffline; ask it first.
            Pcaps.libVersion();
        } catch (LinkageError e) {
            throw new MissingLibpcapException(source + ": reading this file needs libpcap, which is not installed ("
                    + e.getMessage() + "); install it with: " + INSTALL_HINT, e);
        }
        try {
            handle = Pcaps.openOffline(source, PcapHandle.TimestampPrecision.NANO);
        } catch (PcapNativeException e) {
            throw new CaptureFormatException(source + ": libpcap cannot read it: " + e.getMessage(), e);
        }
        linkType = linkType(handle.getDlt().value());
    }

    /** libpcap hands out DLT_* values; the few that differ from the file's LINKTYPE_* go back to it. */
    static int linkType(int dlt) {
        return switch (dlt) {
            case DLT_RAW_LINUX, DLT_RAW_BSDOS -> LINKTYPE_RAW;
            default -> dlt;
        };
    }

    @Override
    public boolean next() throws IOException {
        try {
            data = handle.getNextRawPacketEx();
        } catch (EOFException e) {
            return false;
        } catch (PcapNativeException e) {
            throw new CaptureFormatException(source + ": libpcap stops after frame " + frame + ": " + libpcapMessage(e), e);
        } catch (TimeoutException | NotOpenException e) {
            throw new IOException(source + ": " + e, e);
        }
        frame++;
        Timestamp ts = handle.getTimestamp();
        timestampMicros = Math.floorDiv(ts.getTime(), 1000L) * 1_000_000L + ts.getNanos() / 1000;
        originalLength = handle.getOriginalLength();
        bytesRead += PCAP_RECORD_HEADER + data.length;
        return true;
    }

    /** libpcap's own words, without pcap4j's "Error occurred in pcap_next_ex(): " wrapping. */
    private static String libpcapMessage(PcapNativeException e) {
        String m = String.valueOf(e.getMessage());
        int call = m.startsWith("Error occurred in ") ? m.indexOf("): ") : -1;
        return call < 0 ? m : m.substring(call + 3);
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
        return data;
    }

    @Override
    public int offset() {
        return 0;
    }

    @Override
    public int length() {
        return data.length;
    }

    @Override
    public int originalLength() {
        return originalLength;
    }

    @Override
    public String source() {
        return source;
    }

    /** Estimated from classic pcap record sizes: libpcap does not expose its file position. */
    @Override
    public long bytesRead() {
        return Math.min(bytesRead, totalBytes);
    }

    @Override
    public long totalBytes() {
        return totalBytes;
    }

    @Override
    public void close() {
        handle.close();
    }
}
