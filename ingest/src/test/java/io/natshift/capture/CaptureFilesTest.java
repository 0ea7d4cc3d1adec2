package io.natshift.capture;

import static io.natshift.capture.CaptureBytes.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CaptureFilesTest {
    static final int ETHERNET = 1;
    static final int NULL = 0;
    static final int RAW = 101;

    @TempDir
    Path dir;

    record Frame(long number, long micros, int linkType, byte[] data, int originalLength) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Frame f && f.number == number && f.micros == micros && f.linkType == linkType
                    && Arrays.equals(f.data, data) && f.originalLength == originalLength;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(number);
        }

        @Override
        public String toString() {
            return "#" + number + " " + micros + "us lt" + linkType + " " + data.length + "/" + originalLength + "B";
        }
    }

    static Frame f(long number, long micros, int linkType, byte[] data) {
        return new Frame(number, micros, linkType, data, data.length);
    }

    static List<Frame> readAll(CaptureReader r, List<Frame> into) throws IOException {
        while (r.next()) {
            into.add(new Frame(r.frameNumber(), r.timestampMicros(), r.linkType(),
                    Arrays.copyOfRange(r.buffer(), r.offset(), r.offset() + r.length()), r.originalLength()));
        }
        return into;
    }

    List<Frame> read(Path file) throws IOException {
        try (CaptureReader r = CaptureFiles.open(file)) {
            return readAll(r, new ArrayList<>());
        }
    }

    Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    static ByteOrder order(String name) {
        return name.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    @ParameterizedTest
    @ValueSource(strings = {"LITTLE_ENDIAN", "BIG_ENDIAN"})
    void shouldReadMicrosecondPcapInEitherByteOrder(String byteOrder) throws IOException {
        byte[] a = frame(60, 1);
        byte[] b = frame(1514, 2);
        byte[] cut = frame(96, 3);
        Path file = write("micro.pcap", CaptureBytes.pcap(order(byteOrder), 0xa1b2c3d4, 96, ETHERNET)
                .record(1_700_000_000L, 123_456, a)
                .record(1_700_000_001L, 999_999, b)
                .record(4_000_000_000L, 1, 96, 1400, cut)
                .toBytes());

        assertThat(read(file)).containsExactly(
                f(1, 1_700_000_000_123_456L, ETHERNET, a),
                f(2, 1_700_000_001_999_999L, ETHERNET, b),
                // ts_sec is unsigned: 2096 is after 2038
                new Frame(3, 4_000_000_000_000_001L, ETHERNET, cut, 1400));
    }

    @ParameterizedTest
    @ValueSource(strings = {"LITTLE_ENDIAN", "BIG_ENDIAN"})
    void shouldFloorNanosecondTimestampsToMicroseconds(String byteOrder) throws IOException {
        byte[] a = frame(42, 4);
        Path file = write("nano.pcap", CaptureBytes.pcap(order(byteOrder), 0xa1b23c4d, 65535, RAW)
                .record(1_600_000_000L, 123_456_789, a)
                .record(1_600_000_000L, 999_999_999, a)
                .toBytes());

        assertThat(read(file)).containsExactly(
                f(1, 1_600_000_000_123_456L, RAW, a),
                f(2, 1_600_000_000_999_999L, RAW, a));
    }

    @Test
    void shouldReadPcapngSectionsOfBothByteOrdersWithTheirOwnInterfaces() throws IOException {
        byte[] a = frame(60, 5);
        byte[] b = frame(61, 6);
        byte[] c = frame(62, 7);
        byte[] d = frame(63, 8);
        byte[] e = frame(100, 9);
        CaptureBytes ng = CaptureBytes.pcapng();
        ng.shb(ByteOrder.LITTLE_ENDIAN)
                .idb(ETHERNET, 0, ng.tsOptions(null, null))
                .epb(0, 1_700_000_000_000_001L, a, 60)
                .block(0x00000BAD, frame(37, 0))            // unknown block: skipped by its length
                .block(5, new byte[24])                      // interface statistics: skipped
                .shb(ByteOrder.BIG_ENDIAN)                   // new section: interfaces start over
                .idb(RAW, 0, ng.tsOptions(9, null))          // nanoseconds
                .idb(NULL, 80, ng.tsOptions(0x80 | 10, 100L)); // 1/1024 s units, 100 s offset
        ng.epb(0, 1_700_000_000_123_456_789L, b, 61)
                .obsoletePacketBlock(1, 1_024L * 1_000 + 512, c)
                .spb(d, 63)
                .epb(1, 3L, e, 1500);

        assertThat(read(write("sections.pcapng", ng.toBytes()))).containsExactly(
                f(1, 1_700_000_000_000_001L, ETHERNET, a),
                f(2, 1_700_000_000_123_456L, RAW, b),
                f(3, (100 + 1_000) * 1_000_000L + 500_000, NULL, c),
                // a simple packet block has no timestamp: the previous one stands; it belongs to interface 0
                f(4, (100 + 1_000) * 1_000_000L + 500_000, RAW, d),
                new Frame(5, 100_000_000L + 2_929, NULL, e, 1500));
    }

    @Test
    void shouldNumberFramesAsWiresharkDoesPastSystemdJournalEntries() throws IOException {
        byte[] a = frame(60, 1);
        CaptureBytes ng = CaptureBytes.pcapng().shb(ByteOrder.LITTLE_ENDIAN);
        ng.idb(ETHERNET, 0, ng.tsOptions(null, null))
                .epb(0, 1, a, 60)
                .block(9, "__REALTIME_TIMESTAMP=1\nMESSAGE=ipsec up\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .block(0x0000000A, new byte[16])  // decryption secrets: no frame
                .epb(0, 2, a, 60);

        assertThat(read(write("journal.pcapng", ng.toBytes()))).containsExactly(f(1, 1, ETHERNET, a), f(3, 2, ETHERNET, a));
    }

    @Test
    void shouldScaleTimestampsByTsresolAndShiftThemByTsoffset() throws IOException {
        byte[] a = frame(20, 1);
        CaptureBytes ng = CaptureBytes.pcapng().shb(ByteOrder.LITTLE_ENDIAN);
        ng.idb(RAW, 0, ng.tsOptions(3, null))            // milliseconds
                .idb(RAW, 0, ng.tsOptions(9, -3_600L))   // nanoseconds, one hour back
                .idb(RAW, 0, ng.tsOptions(0x80 | 20, null)) // 2^-20 s
                .idb(RAW, 0, ng.tsOptions(0x80 | 62, null)); // 2^-62 s: beyond 64-bit intermediate products
        ng.epb(0, 1_700_000_000_123L, a, 20)
                .epb(1, 1_700_000_000_000_000_999L, a, 20)
                .epb(2, (1L << 20) * 7 + (1L << 19) + 1, a, 20)
                .epb(3, (1L << 62) + (1L << 61), a, 20);

        assertThat(read(write("tsresol.pcapng", ng.toBytes())))
                .extracting(Frame::micros)
                .containsExactly(1_700_000_000_123_000L, (1_700_000_000L - 3_600) * 1_000_000L, 7_500_000L, 1_500_000L);
    }

    @Test
    void shouldRecognizeGzipByItsMagicBytesNotItsName() throws IOException {
        byte[] a = frame(70, 3);
        byte[] pcap = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 65535, ETHERNET).record(10, 20, a).toBytes();
        CaptureBytes ng = CaptureBytes.pcapng().shb(ByteOrder.BIG_ENDIAN);
        byte[] pcapng = ng.idb(ETHERNET, 0, ng.tsOptions(null, null)).epb(0, 30, a, 70).toBytes();

        assertThat(read(write("compressed.pcap", CaptureBytes.gzip(pcap)))).containsExactly(f(1, 10_000_020L, ETHERNET, a));
        assertThat(read(write("compressed-ng.cap", CaptureBytes.gzip(pcapng)))).containsExactly(f(1, 30L, ETHERNET, a));
        assertThat(read(write("plain.pcap.gz", pcap))).containsExactly(f(1, 10_000_020L, ETHERNET, a));
    }

    @Test
    void shouldReturnEveryCompleteFrameBeforeReportingWhereTheFileIsCut() throws IOException {
        byte[] a = frame(100, 1);
        byte[] whole = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 65535, ETHERNET)
                .record(1, 0, a).record(2, 0, a).record(3, 0, a).toBytes();
        // 24 + 2 * 116 = 256: frame 3's record starts there; cut 50 bytes into its data
        Path file = write("cut.pcap", Arrays.copyOf(whole, 256 + 16 + 50));
        List<Frame> frames = new ArrayList<>();

        try (CaptureReader r = CaptureFiles.open(file)) {
            assertThatThrownBy(() -> readAll(r, frames))
                    .isInstanceOf(CaptureFormatException.class)
                    .hasMessage(file + ": cut off at byte 322 inside frame 3 (its record starts at byte 256 and needs 116 bytes, 66 present)");
        }
        assertThat(frames).containsExactly(f(1, 1_000_000L, ETHERNET, a), f(2, 2_000_000L, ETHERNET, a));
    }

    @Test
    void shouldReportACutInsideARecordHeader() throws IOException {
        byte[] a = frame(100, 1);
        byte[] whole = CaptureBytes.pcap(ByteOrder.BIG_ENDIAN, 0xa1b2c3d4, 65535, ETHERNET).record(1, 0, a).record(2, 0, a).toBytes();
        Path file = write("cut-header.pcap", Arrays.copyOf(whole, 140 + 7));

        assertThatThrownBy(() -> read(file))
                .isInstanceOf(CaptureFormatException.class)
                .hasMessage(file + ": cut off at byte 147 inside frame 2 (its record starts at byte 140 and needs 16 bytes, 7 present)");
    }

    @Test
    void shouldReportACutPcapngAfterItsCompleteFrames() throws IOException {
        byte[] a = frame(60, 1);
        CaptureBytes ng = CaptureBytes.pcapng().shb(ByteOrder.LITTLE_ENDIAN);
        byte[] whole = ng.idb(ETHERNET, 0, ng.tsOptions(null, null)).epb(0, 1, a, 60).epb(0, 2, a, 60).toBytes();
        // SHB 28 + IDB 24 (20 + end-of-options) + EPB 92: the second EPB starts at byte 144
        Path file = write("cut.pcapng", Arrays.copyOf(whole, whole.length - 10));
        List<Frame> frames = new ArrayList<>();

        try (CaptureReader r = CaptureFiles.open(file)) {
            assertThatThrownBy(() -> readAll(r, frames))
                    .isInstanceOf(CaptureFormatException.class)
                    .hasMessage(file + ": cut off at byte 226 inside frame 2 (its record starts at byte 144 and needs 92 bytes, 82 present)");
        }
        assertThat(frames).containsExactly(f(1, 1, ETHERNET, a));
    }

    @Test
    void shouldReportAGzipStreamCutBetweenRecords() throws IOException {
        byte[] a = frame(100, 1);
        byte[] pcap = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 65535, ETHERNET).record(1, 0, a).toBytes();
        byte[] gz = CaptureBytes.gzip(pcap);
        // drop the 8-byte gzip trailer (CRC, size): every record inflates but the stream never ends
        Path file = write("cut.pcap.gz", Arrays.copyOf(gz, gz.length - 8));
        List<Frame> frames = new ArrayList<>();

        try (CaptureReader r = CaptureFiles.open(file)) {
            assertThatThrownBy(() -> readAll(r, frames))
                    .isInstanceOf(CaptureFormatException.class)
                    .hasMessage(file + ": gzip data is cut off after frame 1 (decompressed byte 140)");
        }
        assertThat(frames).containsExactly(f(1, 1_000_000L, ETHERNET, a));
    }

    @Test
    void shouldReportAGzipStreamCutInsideARecord() throws IOException {
        byte[] noise = new byte[20_000];
        new java.util.Random(7).nextBytes(noise);
        byte[] pcap = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 65535, ETHERNET)
                .record(1, 0, frame(1000, 1)).record(2, 0, noise).toBytes();
        byte[] gz = CaptureBytes.gzip(pcap);
        // random bytes do not compress: cutting the gzip file in half cuts inside frame 2
        Path file = write("half.pcap.gz", Arrays.copyOf(gz, gz.length / 2));
        List<Frame> frames = new ArrayList<>();

        try (CaptureReader r = CaptureFiles.open(file)) {
            assertThatThrownBy(() -> readAll(r, frames))
                    .isInstanceOf(CaptureFormatException.class)
                    .hasMessageStartingWith(file + ": cut off at byte ")
                    .hasMessageContaining(" of the decompressed data inside frame 2 (its record starts at byte 1040 and needs 20016 bytes, ")
                    .hasMessageEndingWith("; the gzip data itself is cut off");
        }
        assertThat(frames).containsExactly(f(1, 1_000_000L, ETHERNET, frame(1000, 1)));
    }

    @Test
    void shouldNameTheFirstBytesOfAFileThatIsNoCapture() throws IOException {
        Path zip = write("evidence.pcap", new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0});
        Path tiny = write("tiny.pcap", new byte[] {(byte) 0xd4, (byte) 0xc3});
        Path empty = write("empty.pcap", new byte[0]);

        assertThatThrownBy(() -> read(zip)).isInstanceOf(CaptureFormatException.class)
                .hasMessage(zip + ": not a pcap or pcapng capture (first bytes: 50 4b 03 04 14 00 00 00)");
        assertThatThrownBy(() -> read(tiny)).isInstanceOf(CaptureFormatException.class)
                .hasMessage(tiny + ": not a capture file: only 2 bytes (first bytes: d4 c3)");
        assertThatThrownBy(() -> read(empty)).isInstanceOf(CaptureFormatException.class)
                .hasMessage(empty + ": not a capture file: only 0 bytes");
    }

    @Test
    void shouldRejectAnAbsurdRecordLengthAfterTheFramesBeforeIt() throws IOException {
        byte[] a = frame(60, 1);
        byte[] bytes = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 65535, ETHERNET)
                .record(1, 0, a)
                .u32(2).u32(0).u32(0x7ff00000).u32(0x7ff00000).bytes(new byte[64])
                .toBytes();
        Path file = write("garbage.pcap", bytes);
        List<Frame> frames = new ArrayList<>();

        try (CaptureReader r = CaptureFiles.open(file)) {
            assertThatThrownBy(() -> readAll(r, frames))
                    .isInstanceOf(CaptureFormatException.class)
                    .hasMessage(file + ": frame 2 at byte 100: captured length 2146435072 exceeds the limit of 262144 bytes; the file is corrupt");
        }
        assertThat(frames).containsExactly(f(1, 1_000_000L, ETHERNET, a));
    }

    @Test
    void shouldAcceptFramesUpToALargeSnaplenButNoFurther() throws IOException {
        byte[] big = frame(300_000, 2);
        Path ok = write("jumbo.pcap", CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 300_000, ETHERNET).record(1, 0, big).toBytes());
        Path tooBig = write("jumbo-small-snaplen.pcap", CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 65535, ETHERNET).record(1, 0, big).toBytes());

        assertThat(read(ok)).containsExactly(f(1, 1_000_000L, ETHERNET, big));
        assertThatThrownBy(() -> read(tooBig)).isInstanceOf(CaptureFormatException.class)
                .hasMessage(tooBig + ": frame 1 at byte 24: captured length 300000 exceeds the limit of 262144 bytes; the file is corrupt");
    }

    @Test
    void shouldRejectAPcapngPacketForAnUndescribedInterface() throws IOException {
        byte[] a = frame(60, 1);
        Path file = write("no-idb.pcapng", CaptureBytes.pcapng().shb(ByteOrder.BIG_ENDIAN).epb(0, 1, a, 60).toBytes());

        assertThatThrownBy(() -> read(file)).isInstanceOf(CaptureFormatException.class)
                .hasMessage(file + ": frame 1 at byte 28: enhanced packet block refers to interface 0 but the section describes 0; the file is corrupt");
    }

    @Test
    void shouldThrowNoSuchFileNamingAMissingFile() {
        Path missing = dir.resolve("nowhere.pcap");

        assertThatThrownBy(() -> CaptureFiles.open(missing)).isInstanceOf(NoSuchFileException.class).hasMessageContaining(missing.toString());
    }

    @Test
    void shouldReportProgressAgainstTheFileSize() throws IOException {
        byte[] a = frame(100, 1);
        byte[] pcap = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 65535, ETHERNET).record(1, 0, a).toBytes();
        try (CaptureReader r = CaptureFiles.open(write("progress.pcap", pcap))) {
            assertThat(r.totalBytes()).isEqualTo(140);
            assertThat(r.source()).endsWith("progress.pcap");
            while (r.next()) {
                // drain
            }
            assertThat(r.bytesRead()).isEqualTo(140);
        }
    }

    @Test
    void shouldReportAPcapCutInsideItsFileHeader() throws IOException {
        byte[] header = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 65535, ETHERNET).toBytes();
        Path file = write("header-only.pcap", Arrays.copyOf(header, 10));

        assertThatThrownBy(() -> read(file)).isInstanceOf(CaptureFormatException.class)
                .hasMessage(file + ": cut off at byte 10, in the 24-byte pcap file header");
    }

    @Test
    void shouldRejectCorruptPcapngBlocksAfterTheFramesBeforeThem() throws IOException {
        byte[] a = frame(60, 1);
        CaptureBytes ng = CaptureBytes.pcapng().shb(ByteOrder.LITTLE_ENDIAN);
        byte[] good = ng.idb(ETHERNET, 0, ng.tsOptions(null, null)).epb(0, 7, a, 60).toBytes();
        // good = SHB 28 + IDB 24 + EPB 92 = 144 bytes; the damage starts there
        byte[] oddLength = CaptureBytes.pcapng().bytes(good).u32(0).u32(0).toBytes();
        oddLength[144] = 6;  // an EPB ...
        oddLength[148] = 13; // ... of 13 bytes: not a multiple of 4
        byte[] hugeEpb = CaptureBytes.pcapng().bytes(good).u32(0).u32(0).bytes(new byte[32]).toBytes();
        hugeEpb[144] = 6;
        hugeEpb[150] = (byte) 0xf0; // 0x00f00000 = 15 MiB: more than a frame may be
        byte[] badTrailer = Arrays.copyOf(good, good.length);
        badTrailer[good.length - 4] = 88;
        byte[] badMagic = Arrays.copyOf(good, good.length);
        badMagic[8] = 0x55;
        Path odd = write("odd.pcapng", oddLength);
        Path huge = write("huge.pcapng", hugeEpb);
        Path trailer = write("trailer.pcapng", badTrailer);
        Path magic = write("magic.pcapng", badMagic);

        List<Frame> frames = new ArrayList<>();
        try (CaptureReader r = CaptureFiles.open(odd)) {
            assertThatThrownBy(() -> readAll(r, frames)).isInstanceOf(CaptureFormatException.class)
                    .hasMessage(odd + ": enhanced packet block at byte 144 after frame 1: block length 13; the file is corrupt");
        }
        assertThat(frames).containsExactly(f(1, 7, ETHERNET, a));
        assertThatThrownBy(() -> read(huge)).isInstanceOf(CaptureFormatException.class)
                .hasMessage(huge + ": frame 2 at byte 144: enhanced packet block length 15728640 exceeds the limit of 327708 bytes; the file is corrupt");
        assertThatThrownBy(() -> read(trailer)).isInstanceOf(CaptureFormatException.class)
                .hasMessage(trailer + ": frame 1 at byte 52: trailing block length 88 differs from the leading 92; the file is corrupt");
        assertThatThrownBy(() -> read(magic)).isInstanceOf(CaptureFormatException.class)
                .hasMessage(magic + ": section header block at byte 0 after frame 0: byte-order magic 0x553c2b1a; the file is corrupt");
    }

    @Test
    void shouldReportAnUnknownPcapngBlockRunningPastTheEnd() throws IOException {
        byte[] a = frame(60, 1);
        CaptureBytes ng = CaptureBytes.pcapng().shb(ByteOrder.BIG_ENDIAN);
        byte[] good = ng.idb(ETHERNET, 0, ng.tsOptions(null, null)).epb(0, 7, a, 60).toBytes();
        Path file = write("overrun.pcapng", CaptureBytes.pcapng().bytes(good).u32(0x0BAD).u32(1 << 20).bytes(new byte[40]).toBytes());

        assertThatThrownBy(() -> read(file)).isInstanceOf(CaptureFormatException.class)
                .hasMessage(file + ": cut off at byte 192 after frame 1, inside block of type 0xbad starting at byte 144"
                        + " that needs 1048576 bytes, 48 present");
    }

    @Test
    void shouldNameTheFileWhenGzipDataIsCorruptOrNoCapture() throws IOException {
        byte[] pcap = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 65535, ETHERNET).record(1, 0, frame(2000, 1)).toBytes();
        byte[] gz = CaptureBytes.gzip(pcap);
        for (int i = 20; i < gz.length - 8; i++) {
            gz[i] = (byte) 0xff;
        }
        Path corrupt = write("corrupt.pcap.gz", gz);
        Path text = write("notes.gz", CaptureBytes.gzip("meeting notes".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        Path kuznetzov = write("kuznetzov.pcap.gz", CaptureBytes.gzip(Pcap4jFileReaderTest.kuznetzov(frame(60, 1))));

        assertThatThrownBy(() -> read(corrupt)).isInstanceOf(CaptureFormatException.class)
                .hasMessageStartingWith(corrupt + ": gzip data is corrupt after decompressed byte ");
        assertThatThrownBy(() -> read(text)).isInstanceOf(CaptureFormatException.class)
                .hasMessage(text + ": gzip-compressed, but not a pcap or pcapng capture (first bytes: 6d 65 65 74 69 6e 67 20)");
        assertThatThrownBy(() -> read(kuznetzov)).isInstanceOf(CaptureFormatException.class)
                .hasMessage(kuznetzov + ": gzip-compressed modified (Kuznetzov) pcap: only libpcap reads this variant"
                        + " and it does not decompress; gunzip it first");
    }
}
