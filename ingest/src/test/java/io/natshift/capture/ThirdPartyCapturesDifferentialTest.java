package io.natshift.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.natshift.decode.DecodeResult;
import io.natshift.decode.FrameDecoder;
import io.natshift.decode.IkeMessage;
import io.natshift.decode.RejectReason;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our readers and decoder against TShark 4.0.17 on every third-party capture of the shared folder:
 * each frame TShark dissects as ISAKMP ({@code <file>.tshark.tsv}) must decode to the same header
 * fields, addresses, ports and capture time, matched by frame number; and we emit no IKE record on
 * frames TShark does not list. Every deliberate difference is listed in {@link #DEVIATIONS} with its reason.
 * Runs over every path we ship: the pure-Java readers (plain and gzip) and libpcap through pcap4j.
 */
class ThirdPartyCapturesDifferentialTest {

    enum ReaderPath {
        PURE_JAVA {
            @Override
            CaptureReader open(Path file) throws IOException {
                return CaptureFiles.open(file);
            }
        },
        LIBPCAP {
            @Override
            CaptureReader open(Path file) throws IOException {
                return new Pcap4jFileReader(file);
            }
        },
        /** The pure-Java readers behind gzip: the same capture compressed into a temporary file. */
        PURE_JAVA_GZIP {
            @Override
            CaptureReader open(Path file) throws IOException {
                Path gz = Files.createTempFile("natshift-differential-", ".gz");
                try {
                    Files.write(gz, CaptureBytes.gzip(Files.readAllBytes(file)));
                    return CaptureFiles.open(gz);
                } finally {
                    // the reader holds the file open; on Linux the data stays readable until it is closed
                    Files.delete(gz);
                }
            }
        };

        abstract CaptureReader open(Path file) throws IOException;
    }

    /** How our result on one frame TShark lists (or does not list) deliberately differs. */
    sealed interface Deviation permits Rejected, DecodedOnFirstFragment, OursOnly {
        String reason();
    }

    /** TShark lists the frame; we reject it with exactly this reason. */
    record Rejected(RejectReason expected, String reason) implements Deviation {
    }

    /**
     * TShark shows an IP-fragmented message on the frame completing reassembly; we decode the first
     * fragment (flagged ipFragment), so the header is compared on that frame instead, matched by SPIs and message id.
     */
    record DecodedOnFirstFragment(long ourFrame, String reason) implements Deviation {
    }

    /** We emit an IKE record on a frame TShark does not list. */
    record OursOnly(String reason) implements Deviation {
    }

    static final String IP_FRAGMENTED = "IP-fragmented: TShark shows the reassembled message on its last fragment, we decode the first";

    /**
     * file -> TShark's frame number -> deviation. TShark dissects the header of any UDP 500 datagram
     * and marks what does not parse as [Malformed Packet]; {@code frame.protocols} in the tsv does not
     * show that mark (occurrence=f), so the reasons below say what is wrong with each frame.
     */
    static final Map<String, Map<Long, Deviation>> DEVIATIONS = Map.of(
            "tcpdump__isakmp-delete-segfault.pcap", Map.of(1L, new Rejected(RejectReason.BAD_UDP_LENGTH,
                    "fuzz output: UDP length 456 but the IP datagram carries 146 bytes of UDP; its version byte 0xbe"
                            + " would be UNKNOWN_VERSION next; TShark dissects the header regardless")),
            "tcpdump__ikev2pI2-segfault.pcapng", Map.of(1L, new Rejected(RejectReason.BAD_PAYLOAD_LENGTH,
                    "fuzz output: payload 34 at message offset 272 claims 43690 bytes of a 508-byte message;"
                            + " TShark shows the header and marks the payload malformed")),
            "zsi__ipsec-ikev1-payload-bad-length.pcap", Map.of(1L, new Rejected(RejectReason.BAD_PAYLOAD_LENGTH,
                    "vendor ID payload of length 3, below the 4-byte generic payload header (RFC 2408 3.2);"
                            + " TShark shows the header and marks the payload malformed")),
            "zsi__ipsec_client.pcap", Map.of(
                    5L, new DecodedOnFirstFragment(3, IP_FRAGMENTED),
                    8L, new DecodedOnFirstFragment(6, IP_FRAGMENTED + " (retransmission)"),
                    11L, new DecodedOnFirstFragment(9, IP_FRAGMENTED + " (retransmission)")));

    static Path sharedDir() {
        return io.natshift.testing.SharedFolder.dir();
    }

    static Path thirdParty() {
        return sharedDir().resolve("captures/thirdparty");
    }

    record ManifestEntry(String file, long totalFrames, int tsharkIkeFrames, String linkType) {
    }

    static List<ManifestEntry> manifest() throws IOException {
        List<String> lines = Files.readAllLines(thirdParty().resolve("MANIFEST.tsv"));
        List<String> header = List.of(lines.get(0).split("\t"));
        int file = header.indexOf("file");
        int total = header.indexOf("total_frames");
        int ike = header.indexOf("ike_frames_tshark");
        int linkType = header.indexOf("linktype");
        List<ManifestEntry> entries = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            entries.add(new ManifestEntry(f[file], Long.parseLong(f[total]), Integer.parseInt(f[ike]), f[linkType]));
        }
        return entries;
    }

    /** One line of TShark's field output; empty fields are empty strings. */
    record TsharkFrame(Map<String, String> fields) {
        String get(String name) {
            return fields.getOrDefault(name, "");
        }

        long frame() {
            return Long.parseLong(get("frame.number"));
        }

        long epochMicros() {
            return new BigDecimal(get("frame.time_epoch")).movePointRight(6).setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
        }

        String srcAddr() {
            return get("ip.src").isEmpty() ? get("ipv6.src") : get("ip.src");
        }

        String dstAddr() {
            return get("ip.dst").isEmpty() ? get("ipv6.dst") : get("ip.dst");
        }
    }

    static List<TsharkFrame> tshark(String file) throws IOException {
        List<String> lines = Files.readAllLines(thirdParty().resolve(file + ".tshark.tsv"));
        String[] header = lines.get(0).split("\t");
        List<TsharkFrame> frames = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                fields.put(header[i], i < f.length ? f[i] : "");
            }
            frames.add(new TsharkFrame(fields));
        }
        return frames;
    }

    /** What our reader and decoder made of one capture, frame by frame. */
    record Ours(long frames, Map<Long, Long> micros, Map<Long, DecodeResult> results) {
    }

    static Ours decode(ReaderPath path, Path file) throws IOException {
        FrameDecoder decoder = new FrameDecoder();
        Map<Long, Long> micros = new HashMap<>();
        Map<Long, DecodeResult> results = new HashMap<>();
        long frames = 0;
        try (CaptureReader r = path.open(file)) {
            while (r.next()) {
                frames++;
                assertThat(r.frameNumber()).as("%s frame numbering", file).isEqualTo(frames);
                micros.put(r.frameNumber(), r.timestampMicros());
                results.put(r.frameNumber(), decoder.decode(r.buffer(), r.offset(), r.length(), r.linkType()));
            }
        }
        return new Ours(frames, micros, results);
    }

    @Test
    void shouldFindEveryCaptureOfTheSharedFolderInItsManifest() throws IOException {
        List<String> listed = manifest().stream().map(ManifestEntry::file).toList();
        List<String> present;
        try (Stream<Path> files = Files.list(thirdParty())) {
            present = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".pcap") || n.endsWith(".pcapng"))
                    .toList();
        }
        assertThat(listed).containsExactlyInAnyOrderElementsOf(present);
        assertThat(DEVIATIONS.keySet()).allSatisfy(f -> assertThat(listed).contains(f));
    }

    @ParameterizedTest
    @EnumSource(ReaderPath.class)
    void shouldDecodeWhatTsharkDissectsAndNothingElse(ReaderPath path) throws IOException {
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        for (ManifestEntry entry : manifest()) {
            String file = entry.file();
            Ours ours = decode(path, thirdParty().resolve(file));
            List<TsharkFrame> theirs = tshark(file);
            Map<Long, Deviation> deviations = DEVIATIONS.getOrDefault(file, Map.of());
            if (ours.frames() != entry.totalFrames()) {
                mismatches.add(file + ": read " + ours.frames() + " frames, the manifest says " + entry.totalFrames());
            }
            if (theirs.size() != entry.tsharkIkeFrames()) {
                mismatches.add(file + ": tshark.tsv has " + theirs.size() + " frames, the manifest says " + entry.tsharkIkeFrames());
            }
            List<Long> explained = new ArrayList<>();
            for (TsharkFrame t : theirs) {
                long frame = t.frame();
                String at = file + " frame " + frame + ": ";
                Long micros = ours.micros().get(frame);
                if (micros == null || micros != t.epochMicros()) {
                    mismatches.add(at + "time " + micros + " us, tshark " + t.get("frame.time_epoch"));
                }
                Deviation deviation = deviations.get(frame);
                long ourFrame = frame;
                if (deviation instanceof Rejected rejected) {
                    DecodeResult r = ours.results().get(frame);
                    if (!(r instanceof DecodeResult.Rejected rej) || rej.reason() != rejected.expected()) {
                        mismatches.add(at + "expected our rejection " + rejected.expected() + " (" + rejected.reason() + "), got " + r);
                    }
                    explained.add(frame);
                    compared++;
                    continue;
                } else if (deviation instanceof DecodedOnFirstFragment fragment) {
                    ourFrame = fragment.ourFrame();
                    explained.add(ourFrame);
                } else if (deviation != null) {
                    mismatches.add(at + "listed as " + deviation + " but tshark lists it");
                }
                DecodeResult r = ours.results().get(ourFrame);
                if (!(r instanceof IkeMessage m)) {
                    mismatches.add(at + "tshark dissects ISAKMP, we have " + r + " on frame " + ourFrame);
                    continue;
                }
                if (ourFrame != frame && !m.ipFragment()) {
                    mismatches.add(at + "our frame " + ourFrame + " should be a first IP fragment");
                }
                compare(at, m, t, mismatches);
                compared++;
            }
            List<Long> listed = theirs.stream().map(TsharkFrame::frame).toList();
            for (Map.Entry<Long, DecodeResult> e : ours.results().entrySet()) {
                long frame = e.getKey();
                if (e.getValue() instanceof IkeMessage && !listed.contains(frame) && !explained.contains(frame)
                        && !(deviations.get(frame) instanceof OursOnly)) {
                    mismatches.add(file + " frame " + frame + ": we emit IKE " + e.getValue() + ", tshark lists nothing");
                }
            }
        }
        assertThat(mismatches).as(path + " against tshark").isEmpty();
        assertThat(compared).isEqualTo(manifest().stream().mapToInt(ManifestEntry::tsharkIkeFrames).sum());
    }

    static void compare(String at, IkeMessage m, TsharkFrame t, List<String> mismatches) {
        check(at, "src addr", m.srcAddrText(), t.srcAddr(), mismatches);
        check(at, "dst addr", m.dstAddrText(), t.dstAddr(), mismatches);
        check(at, "src port", String.valueOf(m.srcPort()), t.get("udp.srcport"), mismatches);
        check(at, "dst port", String.valueOf(m.dstPort()), t.get("udp.dstport"), mismatches);
        check(at, "initiator SPI", String.format("%016x", m.initiatorSpi()), t.get("isakmp.ispi"), mismatches);
        check(at, "responder SPI", String.format("%016x", m.responderSpi()), t.get("isakmp.rspi"), mismatches);
        check(at, "major version", String.valueOf(m.majorVersion()), String.valueOf(Integer.decode(t.get("isakmp.mjver"))), mismatches);
        check(at, "minor version", String.valueOf(m.minorVersion()), String.valueOf(Integer.decode(t.get("isakmp.mnver"))), mismatches);
        check(at, "exchange type", String.valueOf(m.exchangeType()), t.get("isakmp.exchangetype"), mismatches);
        check(at, "flags", String.valueOf(m.flags()), String.valueOf(Integer.decode(t.get("isakmp.flags"))), mismatches);
        check(at, "message id", String.valueOf(m.messageId()), String.valueOf(Long.decode(t.get("isakmp.messageid"))), mismatches);
        check(at, "length", String.valueOf(m.length()), t.get("isakmp.length"), mismatches);
        check(at, "next payload", String.valueOf(m.nextPayload()), t.get("isakmp.nextpayload"), mismatches);
    }

    static void check(String at, String field, String ours, String theirs, List<String> mismatches) {
        if (!ours.equals(theirs)) {
            mismatches.add(at + field + " ours " + ours + ", tshark " + theirs);
        }
    }
}
