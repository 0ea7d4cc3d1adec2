package io.natshift.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.natshift.decode.IkeMessage;

/**
 * Writes decoded IKE packets as text lines with the IkePacket contract's field names and order:
 * JSON lines (one object per packet) or TSV (a header line, then one row per packet). SPIs and
 * vendor IDs are lowercase hex; arrays in TSV are comma-separated; a null is an empty TSV cell.
 * Bytes are built directly into a buffer: decode prints hundreds of thousands of lines a second.
 */
abstract class PacketLines {
    static final List<String> FIELDS = List.of("probeId", "source", "frame", "timestampMicros", "srcAddr", "srcPort",
            "dstAddr", "dstPort", "natT", "initiatorSpi", "responderSpi", "majorVersion", "minorVersion",
            "exchangeType", "flags", "messageId", "nextPayload", "length", "encrypted", "payloads", "notifyTypes",
            "vendorIds", "natDetection", "ipFragment", "ikeFragment", "ikeFragmentNumber", "ikeFragmentTotal",
            "frameLength", "vantage");

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private byte[] buf = new byte[1 << 16];
    private int pos;

    PacketLines(OutputStream out) {
        this.out = out;
    }

    enum Format { JSON, TSV }

    static PacketLines of(Format format, OutputStream out) {
        return format == Format.TSV ? new Tsv(out) : new Json(out);
    }

    /** Called once before the first packet. */
    abstract void begin() throws IOException;

    /** {@code probeId}, {@code source} and {@code vantage} are constant per capture: pre-encode them with {@link #text}. */
    abstract void write(byte[] probeId, byte[] source, byte[] vantage, long frame, long timestampMicros, IkeMessage m) throws IOException;

    abstract byte[] text(String value);

    void flush() throws IOException {
        out.write(buf, 0, pos);
        pos = 0;
        out.flush();
    }

    final void ensure(int bytes) throws IOException {
        if (pos + bytes > buf.length) {
            out.write(buf, 0, pos);
            pos = 0;
            if (bytes > buf.length) {
                buf = new byte[bytes];
            }
        }
    }

    final void raw(byte[] b) {
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    final void ascii(char c) {
        buf[pos++] = (byte) c;
    }

    /**
     * Decimal digits without a division instruction: decode runs on the C1 compiler (see
     * bin/natshift), which, unlike C2, emits a real 64-bit divide for {@code v / 10}, and timestamps
     * have 16 digits. Below 2^32 the quotients come from multiply-and-shift (exact for unsigned
     * 32-bit values); larger values are split once at 10^8.
     */
    final void number(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                raw(Long.toString(v).getBytes(StandardCharsets.US_ASCII));
                return;
            }
            buf[pos++] = '-';
            v = -v;
        }
        if (v < 0x1_0000_0000L) {
            uint32(v);
        } else if (v < 100_000_000L * 0x1_0000_0000L) {
            long high = v / 100_000_000L;
            uint32(high);
            eightDigits((int) (v - high * 100_000_000L));
        } else {
            raw(Long.toString(v).getBytes(StandardCharsets.US_ASCII));
        }
    }

    private void uint32(long x) {
        // most fields are one or two digits (versions, flags, exchange and payload types)
        if (x < 100) {
            belowHundred((int) x);
            return;
        }
        int end = pos + digits(x);
        int p = end;
        while (x >= 100) {
            long q = (x * 0x51EB851FL) >>> 37; // x / 100
            int r = (int) (x - q * 100);
            buf[--p] = DIGIT_PAIRS[2 * r + 1];
            buf[--p] = DIGIT_PAIRS[2 * r];
            x = q;
        }
        if (x >= 10) {
            buf[--p] = DIGIT_PAIRS[2 * (int) x + 1];
            buf[--p] = DIGIT_PAIRS[2 * (int) x];
        } else {
            buf[--p] = (byte) ('0' + x);
        }
        pos = end;
    }

    /** {@code x} in [0, 10^8) as exactly eight digits. */
    private void eightDigits(int x) {
        long y = x;
        for (int p = pos + 6; p >= pos; p -= 2) {
            long q = (y * 0x51EB851FL) >>> 37;
            int r = (int) (y - q * 100);
            buf[p] = DIGIT_PAIRS[2 * r];
            buf[p + 1] = DIGIT_PAIRS[2 * r + 1];
            y = q;
        }
        pos += 8;
    }

    private static int digits(long x) {
        if (x < 100_000) {
            return x < 10 ? 1 : x < 100 ? 2 : x < 1000 ? 3 : x < 10_000 ? 4 : 5;
        }
        return x < 1_000_000 ? 6 : x < 10_000_000 ? 7 : x < 100_000_000 ? 8 : x < 1_000_000_000 ? 9 : 10;
    }

    private static final byte[] DIGIT_PAIRS = new byte[200];
    private static final byte[] HEX_PAIRS = new byte[512];

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
        for (int i = 0; i < 256; i++) {
            HEX_PAIRS[2 * i] = HEX[i >> 4];
            HEX_PAIRS[2 * i + 1] = HEX[i & 0xF];
        }
    }

    final void hex64(long v) {
        byte[] to = buf;
        int p = pos;
        for (int shift = 56; shift >= 0; shift -= 8) {
            int x = 2 * ((int) (v >>> shift) & 0xFF);
            to[p++] = HEX_PAIRS[x];
            to[p++] = HEX_PAIRS[x + 1];
        }
        pos = p;
    }

    final void hexBytes(byte[] b) {
        byte[] to = buf;
        int p = pos;
        for (byte v : b) {
            int x = 2 * (v & 0xFF);
            to[p++] = HEX_PAIRS[x];
            to[p++] = HEX_PAIRS[x + 1];
        }
        pos = p;
    }

    /** 0-255 in decimal; {@code (x * 41) >> 12} is {@code x / 100} for every such x. */
    private void octet(int x) {
        if (x >= 100) {
            int hundreds = (x * 41) >> 12;
            buf[pos++] = (byte) ('0' + hundreds);
            x -= 100 * hundreds;
            buf[pos++] = DIGIT_PAIRS[2 * x];
            buf[pos++] = DIGIT_PAIRS[2 * x + 1];
        } else {
            belowHundred(x);
        }
    }

    /** {@code x} in [0, 100) with one or two digits. */
    private void belowHundred(int x) {
        if (x >= 10) {
            buf[pos++] = DIGIT_PAIRS[2 * x];
            buf[pos++] = DIGIT_PAIRS[2 * x + 1];
        } else {
            buf[pos++] = (byte) ('0' + x);
        }
    }

    final void bool(boolean b) {
        raw(b ? TRUE : FALSE);
    }

    final void address(byte[] a) {
        if (a.length == 4) {
            for (int i = 0; i < 4; i++) {
                if (i > 0) {
                    buf[pos++] = '.';
                }
                octet(a[i] & 0xFF);
            }
        } else {
            raw(io.natshift.decode.Addresses.format(a).getBytes(StandardCharsets.US_ASCII));
        }
    }

    static int worstCase(IkeMessage m, int constants) {
        int vendorBytes = 0;
        for (byte[] v : m.vendorIds()) {
            vendorBytes += 2 * v.length + 4;
        }
        return 1024 + constants + 12 * (m.payloads().length + m.notifyTypes().length) + vendorBytes;
    }

    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);

    static final class Json extends PacketLines {
        private final byte[][] keys = new byte[FIELDS.size()][];

        Json(OutputStream out) {
            super(out);
            for (int i = 0; i < keys.length; i++) {
                keys[i] = ((i == 0 ? "{\"" : ",\"") + FIELDS.get(i) + "\":").getBytes(StandardCharsets.US_ASCII);
            }
        }

        @Override
        void begin() {
        }

        @Override
        byte[] text(String value) {
            StringBuilder s = new StringBuilder(value.length() + 2).append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '"' -> s.append("\\\"");
                    case '\\' -> s.append("\\\\");
                    default -> {
                        if (c < 0x20) {
                            s.append(String.format("\\u%04x", (int) c));
                        } else {
                            s.append(c);
                        }
                    }
                }
            }
            return s.append('"').toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        void write(byte[] probeId, byte[] source, byte[] vantage, long frame, long timestampMicros, IkeMessage m) throws IOException {
            ensure(worstCase(m, probeId.length + source.length + vantage.length));
            int k = 0;
            raw(keys[k++]); raw(probeId);
            raw(keys[k++]); raw(source);
            raw(keys[k++]); number(frame);
            raw(keys[k++]); number(timestampMicros);
            raw(keys[k++]); ascii('"'); address(m.srcAddr()); ascii('"');
            raw(keys[k++]); number(m.srcPort());
            raw(keys[k++]); ascii('"'); address(m.dstAddr()); ascii('"');
            raw(keys[k++]); number(m.dstPort());
            raw(keys[k++]); bool(m.natT());
            raw(keys[k++]); ascii('"'); hex64(m.initiatorSpi()); ascii('"');
            raw(keys[k++]); ascii('"'); hex64(m.responderSpi()); ascii('"');
            raw(keys[k++]); number(m.majorVersion());
            raw(keys[k++]); number(m.minorVersion());
            raw(keys[k++]); number(m.exchangeType());
            raw(keys[k++]); number(m.flags());
            raw(keys[k++]); number(m.messageId());
            raw(keys[k++]); number(m.nextPayload());
            raw(keys[k++]); number(m.length());
            raw(keys[k++]); bool(m.encrypted());
            raw(keys[k++]); ints(m.payloads());
            raw(keys[k++]); ints(m.notifyTypes());
            raw(keys[k++]); ascii('[');
            for (int i = 0; i < m.vendorIds().size(); i++) {
                if (i > 0) {
                    ascii(',');
                }
                ascii('"');
                hexBytes(m.vendorIds().get(i));
                ascii('"');
            }
            ascii(']');
            raw(keys[k++]); bool(m.natDetection());
            raw(keys[k++]); bool(m.ipFragment());
            raw(keys[k++]); bool(m.ikeFragment());
            raw(keys[k++]); optional(m.ikeFragmentNumber());
            raw(keys[k++]); optional(m.ikeFragmentTotal());
            raw(keys[k++]); number(m.frameLength());
            raw(keys[k]); raw(vantage);
            ascii('}');
            ascii('\n');
        }

        private void ints(int[] values) {
            ascii('[');
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    ascii(',');
                }
                number(values[i]);
            }
            ascii(']');
        }

        private void optional(int value) {
            if (value < 0) {
                raw(NULL);
            } else {
                number(value);
            }
        }

        private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);
    }

    static final class Tsv extends PacketLines {
        Tsv(OutputStream out) {
            super(out);
        }

        @Override
        void begin() throws IOException {
            byte[] header = (String.join("\t", FIELDS) + "\n").getBytes(StandardCharsets.US_ASCII);
            ensure(header.length);
            raw(header);
        }

        @Override
        byte[] text(String value) {
            // TSV has no quoting: a tab or newline in a file name would break the columns.
            return value.replace('\t', ' ').replace('\n', ' ').getBytes(StandardCharsets.UTF_8);
        }

        @Override
        void write(byte[] probeId, byte[] source, byte[] vantage, long frame, long timestampMicros, IkeMessage m) throws IOException {
            ensure(worstCase(m, probeId.length + source.length + vantage.length));
            raw(probeId); tab();
            raw(source); tab();
            number(frame); tab();
            number(timestampMicros); tab();
            address(m.srcAddr()); tab();
            number(m.srcPort()); tab();
            address(m.dstAddr()); tab();
            number(m.dstPort()); tab();
            bool(m.natT()); tab();
            hex64(m.initiatorSpi()); tab();
            hex64(m.responderSpi()); tab();
            number(m.majorVersion()); tab();
            number(m.minorVersion()); tab();
            number(m.exchangeType()); tab();
            number(m.flags()); tab();
            number(m.messageId()); tab();
            number(m.nextPayload()); tab();
            number(m.length()); tab();
            bool(m.encrypted()); tab();
            ints(m.payloads()); tab();
            ints(m.notifyTypes()); tab();
            for (int i = 0; i < m.vendorIds().size(); i++) {
                if (i > 0) {
                    ascii(',');
                }
                hexBytes(m.vendorIds().get(i));
            }
            tab();
            bool(m.natDetection()); tab();
            bool(m.ipFragment()); tab();
            bool(m.ikeFragment()); tab();
            if (m.ikeFragmentNumber() >= 0) {
                number(m.ikeFragmentNumber());
            }
            tab();
            if (m.ikeFragmentTotal() >= 0) {
                number(m.ikeFragmentTotal());
            }
            tab();
            number(m.frameLength()); tab();
            raw(vantage);
            ascii('\n');
        }

        private void tab() {
            ascii('\t');
        }

        private void ints(int[] values) {
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    ascii(',');
                }
                number(values[i]);
            }
        }
    }
}
