package io.natshift.capture;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * pcapng files (draft-ietf-opsawg-pcapng): any number of sections in either byte order, each with
 * its own interfaces (link type, if_tsresol, if_tsoffset). Frames come from Enhanced, Simple and
 * the obsolete Packet Blocks, numbered as Wireshark numbers them (it also gives systemd journal export
 * blocks a frame number, so they are counted, not returned); other blocks are skipped by their length.
 * <pre>
 * block:   block type (4) | block total length (4) | body | block total length (4)
 * SHB:     0x0A0D0D0A | length | byte-order magic 0x1A2B3C4D (4) | major (2) | minor (2) | section length (8) | options
 * IDB:     1 | length | linktype (2) | reserved (2) | snaplen (4) | options
 * EPB:     6 | length | interface id (4) | timestamp high (4) | timestamp low (4) | captured len (4) | original len (4) | data | options
 * SPB:     3 | length | original len (4) | data
 * PB:      2 | length | interface id (2) | drops count (2) | timestamp high (4) | timestamp low (4) | captured len (4) | original len (4) | data | options
 * option:  code (2) | length (2) | value padded to 4
 * </pre>
 */
final class PcapngFileReader extends WindowedReader {
    static final int SECTION_HEADER_BLOCK = 0x0A0D0D0A;
    static final int INTERFACE_DESCRIPTION_BLOCK = 1;
    static final int PACKET_BLOCK = 2;
    static final int SIMPLE_PACKET_BLOCK = 3;
    static final int ENHANCED_PACKET_BLOCK = 6;
    static final int SYSTEMD_JOURNAL_EXPORT_BLOCK = 9;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;

    static final int BLOCK_HEADER_SIZE = 8;
    static final int BLOCK_TRAILER_SIZE = 4;
    static final int MIN_BLOCK_SIZE = BLOCK_HEADER_SIZE + BLOCK_TRAILER_SIZE;
    static final int BODY = BLOCK_HEADER_SIZE;

    static final int SHB_MAJOR_OFFSET = BODY + 4;
    static final int SHB_OPTIONS_OFFSET = SHB_MAJOR_OFFSET + 2 + 2 + 8;
    static final int IDB_SNAPLEN_OFFSET = BODY + 4;
    static final int IDB_OPTIONS_OFFSET = IDB_SNAPLEN_OFFSET + 4;
    static final int EPB_TIMESTAMP_OFFSET = BODY + 4;
    static final int EPB_CAPTURED_OFFSET = EPB_TIMESTAMP_OFFSET + 8;
    static final int EPB_ORIGINAL_OFFSET = EPB_CAPTURED_OFFSET + 4;
    static final int EPB_DATA_OFFSET = EPB_ORIGINAL_OFFSET + 4;
    static final int PB_TIMESTAMP_OFFSET = BODY + 2 + 2;
    static final int SPB_DATA_OFFSET = BODY + 4;

    static final int OPT_END = 0;
    static final int IF_TSRESOL = 9;
    static final int IF_TSOFFSET = 14;
    /** Options (comments, hashes) ride along packet blocks; this much beyond the frame cap is allowed for them. */
    static final int OPTIONS_ALLOWANCE = 64 * 1024;

    private boolean bigEndian;
    private boolean inSection;
    private int interfaces;
    private int[] ifLinkType = new int[4];
    private int[] ifSnaplen = new int[4];
    private Timescale[] ifTimescale = new Timescale[4];

    PcapngFileReader(String source, InputWindow in, long totalBytes, LongSupplier bytesRead, boolean compressed) {
        super(source, in, totalBytes, bytesRead, compressed);
    }

    @Override
    public boolean next() throws IOException {
        InputWindow in = this.in;
        while (true) {
            long blockOffset = in.offset();
            if (!in.request(BLOCK_HEADER_SIZE)) {
                if (in.available() == 0) {
                    return cleanEnd();
                }
                throw cutOff("a block header", blockOffset, BLOCK_HEADER_SIZE);
            }
            int type = u32(in.buffer, in.pos, true);
            if (type == SECTION_HEADER_BLOCK) {
                sectionHeader(blockOffset);
                continue;
            }
            if (!inSection) {
                throw corrupt("block of type " + Integer.toUnsignedString(type, 16), blockOffset, "no section header block before it");
            }
            type = u32(in.buffer, in.pos, bigEndian);
            long total = Integer.toUnsignedLong(u32(in.buffer, in.pos + 4, bigEndian));
            if (total < MIN_BLOCK_SIZE || total % 4 != 0) {
                throw corrupt(blockName(type), blockOffset, "block length " + total);
            }
            switch (type) {
                case ENHANCED_PACKET_BLOCK, PACKET_BLOCK, SIMPLE_PACKET_BLOCK -> {
                    packet(type, (int) Math.min(total, Integer.MAX_VALUE), blockOffset);
                    return true;
                }
                case INTERFACE_DESCRIPTION_BLOCK -> interfaceDescription(total, blockOffset);
                case SYSTEMD_JOURNAL_EXPORT_BLOCK -> {
                    // Wireshark lists journal entries as frames: count them so our numbers stay its numbers.
                    if (!in.skip(total)) {
                        throw cutOff(blockName(type), blockOffset, total);
                    }
                    frame++;
                }
                default -> {
                    if (!in.skip(total)) {
                        throw cutOff(blockName(type), blockOffset, total);
                    }
                }
            }
        }
    }

    private void sectionHeader(long blockOffset) throws IOException {
        if (!in.request(SHB_OPTIONS_OFFSET)) {
            throw cutOff("a section header block", blockOffset, SHB_OPTIONS_OFFSET);
        }
        int magic = u32(in.buffer, in.pos + BODY, true);
        if (magic == BYTE_ORDER_MAGIC) {
            bigEndian = true;
        } else if (Integer.reverseBytes(magic) == BYTE_ORDER_MAGIC) {
            bigEndian = false;
        } else {
            throw corrupt("section header block", blockOffset, "byte-order magic 0x" + Integer.toHexString(magic));
        }
        int major = u16(in.buffer, in.pos + SHB_MAJOR_OFFSET, bigEndian);
        if (major != 1) {
            throw corrupt("section header block", blockOffset, "pcapng major version " + major + " (only 1 exists)");
        }
        long total = Integer.toUnsignedLong(u32(in.buffer, in.pos + 4, bigEndian));
        if (total < SHB_OPTIONS_OFFSET + BLOCK_TRAILER_SIZE || total % 4 != 0) {
            throw corrupt("section header block", blockOffset, "block length " + total);
        }
        if (!in.skip(total)) {
            throw cutOff("a section header block", blockOffset, total);
        }
        inSection = true;
        interfaces = 0;
    }

    private void interfaceDescription(long total, long blockOffset) throws IOException {
        if (total < IDB_OPTIONS_OFFSET + BLOCK_TRAILER_SIZE || total > MIN_FRAME_CAP) {
            throw corrupt("interface description block", blockOffset, "block length " + total);
        }
        int size = (int) total;
        if (!in.request(size)) {
            throw cutOff("an interface description block", blockOffset, total);
        }
        byte[] b = in.buffer;
        int p = in.pos;
        if (interfaces == ifLinkType.length) {
            ifLinkType = Arrays.copyOf(ifLinkType, interfaces * 2);
            ifSnaplen = Arrays.copyOf(ifSnaplen, interfaces * 2);
            ifTimescale = Arrays.copyOf(ifTimescale, interfaces * 2);
        }
        ifLinkType[interfaces] = u16(b, p + BODY, bigEndian);
        ifSnaplen[interfaces] = u32(b, p + IDB_SNAPLEN_OFFSET, bigEndian);
        int resolution = 6;
        long offsetSeconds = 0;
        int o = p + IDB_OPTIONS_OFFSET;
        int end = p + size - BLOCK_TRAILER_SIZE;
        while (o + 4 <= end) {
            int code = u16(b, o, bigEndian);
            int length = u16(b, o + 2, bigEndian);
            if (code == OPT_END || o + 4 + length > end) {
                break;
            }
            if (code == IF_TSRESOL && length >= 1) {
                resolution = b[o + 4] & 0xFF;
            } else if (code == IF_TSOFFSET && length >= 8) {
                offsetSeconds = u64(b, o + 4, bigEndian);
            }
            o += 4 + ((length + 3) & ~3);
        }
        ifTimescale[interfaces] = new Timescale(resolution, offsetSeconds);
        interfaces++;
        in.pos += size;
    }

    private void packet(int type, int total, long blockOffset) throws IOException {
        int headerSize = type == SIMPLE_PACKET_BLOCK ? SPB_DATA_OFFSET : EPB_DATA_OFFSET;
        if (total < headerSize + BLOCK_TRAILER_SIZE) {
            throw corrupt(frame + 1, blockOffset, blockName(type) + " of " + total + " bytes");
        }
        if (!in.request(headerSize)) {
            throw cutOff(frame + 1, blockOffset, total);
        }
        int iface = type == ENHANCED_PACKET_BLOCK ? u32(in.buffer, in.pos + BODY, bigEndian)
                : type == PACKET_BLOCK ? u16(in.buffer, in.pos + BODY, bigEndian) : 0;
        if (iface < 0 || iface >= interfaces) {
            throw corrupt(frame + 1, blockOffset, blockName(type) + " refers to interface " + Integer.toUnsignedString(iface)
                    + " but the section describes " + interfaces);
        }
        int cap = frameCap(ifSnaplen[iface]);
        if (total > cap + headerSize + OPTIONS_ALLOWANCE) {
            throw corrupt(frame + 1, blockOffset, blockName(type) + " length " + total + " exceeds the limit of "
                    + (cap + headerSize + OPTIONS_ALLOWANCE) + " bytes");
        }
        if (!in.request(total)) {
            throw cutOff(frame + 1, blockOffset, total);
        }
        byte[] b = in.buffer;
        int p = in.pos;
        if (u32(b, p + total - BLOCK_TRAILER_SIZE, bigEndian) != total) {
            throw corrupt(frame + 1, blockOffset, "trailing block length " + Integer.toUnsignedString(u32(b, p + total - BLOCK_TRAILER_SIZE, bigEndian))
                    + " differs from the leading " + total);
        }
        int room = total - headerSize - BLOCK_TRAILER_SIZE;
        int captured;
        if (type == SIMPLE_PACKET_BLOCK) {
            originalLength = u32(b, p + BODY, bigEndian);
            // The SPB has no captured length: the smaller of original length, snaplen and the block's room.
            long snaplen = ifSnaplen[iface] == 0 ? Long.MAX_VALUE : Integer.toUnsignedLong(ifSnaplen[iface]);
            captured = (int) Math.min(room, Math.min(snaplen, Integer.toUnsignedLong(originalLength)));
            // No timestamp either: the last one of the capture stands, so event time never jumps back to 1970.
            offset = p + SPB_DATA_OFFSET;
        } else {
            int ts = type == ENHANCED_PACKET_BLOCK ? EPB_TIMESTAMP_OFFSET : PB_TIMESTAMP_OFFSET;
            long high = Integer.toUnsignedLong(u32(b, p + ts, bigEndian));
            long low = Integer.toUnsignedLong(u32(b, p + ts + 4, bigEndian));
            timestampMicros = ifTimescale[iface].micros(high << 32 | low);
            captured = u32(b, p + EPB_CAPTURED_OFFSET, bigEndian);
            originalLength = u32(b, p + EPB_ORIGINAL_OFFSET, bigEndian);
            if (captured < 0 || captured > room) {
                throw corrupt(frame + 1, blockOffset, "captured length " + Integer.toUnsignedString(captured)
                        + " overruns its " + blockName(type) + " of " + total + " bytes");
            }
            offset = p + EPB_DATA_OFFSET;
        }
        length = captured;
        linkType = ifLinkType[iface];
        in.pos = p + total;
        frame++;
    }

    private static String blockName(int type) {
        return switch (type) {
            case INTERFACE_DESCRIPTION_BLOCK -> "interface description block";
            case PACKET_BLOCK -> "packet block";
            case SIMPLE_PACKET_BLOCK -> "simple packet block";
            case ENHANCED_PACKET_BLOCK -> "enhanced packet block";
            case SYSTEMD_JOURNAL_EXPORT_BLOCK -> "systemd journal export block";
            default -> "block of type 0x" + Integer.toHexString(type);
        };
    }

    /** if_tsresol / if_tsoffset of one interface: raw timestamp units to microseconds since the epoch, floored. */
    static final class Timescale {
        private static final BigInteger MILLION = BigInteger.valueOf(1_000_000L);
        private final boolean binary;
        private final int exponent;
        private final long multiplier;
        private final long divisor;
        private final long offsetMicros;

        Timescale(int tsresol, long offsetSeconds) {
            binary = (tsresol & 0x80) != 0;
            exponent = tsresol & 0x7F;
            offsetMicros = offsetSeconds * 1_000_000L;
            long m = 1;
            long d = 1;
            if (!binary) {
                for (int i = exponent; i < 6; i++) {
                    m *= 10;
                }
                // 10^19 is the largest power of ten an unsigned long holds; finer units floor to 0 us.
                for (int i = 6; i < exponent; i++) {
                    d = i - 6 < 19 ? d * 10 : 0;
                }
            }
            multiplier = m;
            divisor = d;
        }

        long micros(long units) {
            long micros;
            if (!binary) {
                micros = divisor == 1 ? units * multiplier : divisor == 0 ? 0 : Long.divideUnsigned(units, divisor);
            } else if (exponent <= 44) {
                long mask = (1L << exponent) - 1;
                micros = (units >>> exponent) * 1_000_000L + (((units & mask) * 1_000_000L) >>> exponent);
            } else {
                micros = new BigInteger(Long.toUnsignedString(units)).multiply(MILLION).shiftRight(exponent).longValue();
            }
            return micros + offsetMicros;
        }
    }
}
