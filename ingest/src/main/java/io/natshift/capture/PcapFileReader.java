package io.natshift.capture;

import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * Classic libpcap files, microsecond or nanosecond timestamps, either byte order.
 * <pre>
 * global header: magic (4) | version_major (2) | version_minor (2) | thiszone (4) | sigfigs (4) | snaplen (4) | linktype (4)
 * record header: ts_sec (4) | ts_usec or ts_nsec (4) | incl_len (4) | orig_len (4) | packet data (incl_len)
 * </pre>
 */
final class PcapFileReader extends WindowedReader {
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    static final int GLOBAL_HEADER_SIZE = 24;
    static final int SNAPLEN_OFFSET = 16;
    static final int LINKTYPE_OFFSET = SNAPLEN_OFFSET + 4;
    static final int RECORD_HEADER_SIZE = 16;
    static final int TS_FRACTION_OFFSET = 4;
    static final int INCL_LEN_OFFSET = TS_FRACTION_OFFSET + 4;
    static final int ORIG_LEN_OFFSET = INCL_LEN_OFFSET + 4;
    // The upper bits of the linktype field carry FCS information (pcap spec, LinkType and additional information).
    private static final int LINKTYPE_MASK = 0x03FFFFFF;

    private final boolean bigEndian;
    private final boolean nanos;
    private final int fileLinkType;
    private final int maxFrame;

    PcapFileReader(String source, InputWindow in, long totalBytes, LongSupplier bytesRead, boolean compressed) throws IOException {
        super(source, in, totalBytes, bytesRead, compressed);
        if (!in.request(GLOBAL_HEADER_SIZE)) {
            throw cutOff("in the " + GLOBAL_HEADER_SIZE + "-byte pcap file header");
        }
        byte[] b = in.buffer;
        int p = in.pos;
        int magic = u32(b, p, true);
        bigEndian = magic == MAGIC_MICROS || magic == MAGIC_NANOS;
        nanos = magic == MAGIC_NANOS || Integer.reverseBytes(magic) == MAGIC_NANOS;
        fileLinkType = u32(b, p + LINKTYPE_OFFSET, bigEndian) & LINKTYPE_MASK;
        maxFrame = frameCap(u32(b, p + SNAPLEN_OFFSET, bigEndian));
        in.pos += GLOBAL_HEADER_SIZE;
    }

    @Override
    public boolean next() throws IOException {
        InputWindow in = this.in;
        long recordOffset = in.offset();
        if (!in.request(RECORD_HEADER_SIZE)) {
            if (in.available() == 0) {
                return cleanEnd();
            }
            throw cutOff(frame + 1, recordOffset, RECORD_HEADER_SIZE);
        }
        byte[] b = in.buffer;
        int p = in.pos;
        int captured = u32(b, p + INCL_LEN_OFFSET, bigEndian);
        if (captured < 0 || captured > maxFrame) {
            throw corrupt(frame + 1, recordOffset, "captured length " + Integer.toUnsignedString(captured)
                    + " exceeds the limit of " + maxFrame + " bytes");
        }
        if (!in.request(RECORD_HEADER_SIZE + captured)) {
            throw cutOff(frame + 1, recordOffset, RECORD_HEADER_SIZE + captured);
        }
        b = in.buffer;
        p = in.pos;
        long seconds = Integer.toUnsignedLong(u32(b, p, bigEndian));
        long fraction = Integer.toUnsignedLong(u32(b, p + TS_FRACTION_OFFSET, bigEndian));
        timestampMicros = seconds * 1_000_000L + (nanos ? fraction / 1000 : fraction);
        originalLength = u32(b, p + ORIG_LEN_OFFSET, bigEndian);
        linkType = fileLinkType;
        offset = p + RECORD_HEADER_SIZE;
        length = captured;
        in.pos = offset + captured;
        frame++;
        return true;
    }
}
