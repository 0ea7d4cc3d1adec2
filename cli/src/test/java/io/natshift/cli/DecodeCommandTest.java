package io.natshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.natshift.capture.PcapWriter;
import io.natshift.decode.LinkType;
import io.natshift.decode.TestFrames;

class DecodeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        picocli.CommandLine cl = Natshift.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    static Path shared(String name) {
        Path file = io.natshift.testing.SharedFolder.thirdParty(name);
        assertThat(file).as("shared captures beside the repository (or -Dnatshift.shared.dir)").exists();
        return file;
    }

    private List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    @Test
    void shouldPrintOneJsonLinePerIkePacketMatchingTshark() throws IOException {
        Path out = dir.resolve("out.jsonl");
        int status = run("decode", "--probe-id", "probe-7", "--vantage", "outside", "-o", out.toString(),
                shared("tcpdump__isakmp4500.pcap").toString());

        assertThat(status).isZero();
        List<String> lines = lines(out);
        List<String> tshark = lines(shared("tcpdump__isakmp4500.pcap.tshark.tsv"));
        assertThat(lines).hasSize(tshark.size() - 1);
        for (int i = 0; i < lines.size(); i++) {
            JsonNode json = JSON.readTree(lines.get(i));
            String[] row = tshark.get(i + 1).split("\t", -1);
            assertThat(json.get("frame").asLong()).isEqualTo(Long.parseLong(row[0]));
            assertThat(json.get("srcAddr").asText()).isEqualTo(row[2]);
            assertThat(json.get("dstAddr").asText()).isEqualTo(row[3]);
            assertThat(json.get("srcPort").asInt()).isEqualTo(Integer.parseInt(row[4]));
            assertThat(json.get("initiatorSpi").asText()).isEqualTo(row[6]);
            assertThat(json.get("responderSpi").asText()).isEqualTo(row[7]);
            assertThat(json.get("exchangeType").asInt()).isEqualTo(Integer.parseInt(row[10]));
            assertThat(json.get("messageId").asLong()).isEqualTo(Long.decode(row[12]));
            assertThat(json.get("length").asLong()).isEqualTo(Long.parseLong(row[13]));
            assertThat(json.get("natT").asBoolean()).isEqualTo(row[18].contains("udpencap"));
            assertThat(json.get("probeId").asText()).isEqualTo("probe-7");
            assertThat(json.get("vantage").asText()).isEqualTo("outside");
        }
        assertThat(err.toString()).contains("IKE packets " + lines.size()).contains("NAT keepalives").contains("rejected 0");
    }

    @Test
    void shouldWriteTsvHeaderWithContractFieldNamesThenOneRowPerPacket() throws IOException {
        Path out = dir.resolve("out.tsv");
        assertThat(run("decode", "--format", "tsv", "-o", out.toString(), shared("zsi__ipsec-ikev1-isakmp-aggressive-mode.pcap").toString())).isZero();

        List<String> lines = lines(out);
        assertThat(lines.get(0).split("\t")).containsExactlyElementsOf(PacketLines.FIELDS);
        assertThat(lines).hasSize(1 + 6);
        String[] first = lines.get(1).split("\t", -1);
        assertThat(first).hasSize(PacketLines.FIELDS.size());
        assertThat(first[PacketLines.FIELDS.indexOf("exchangeType")]).isEqualTo("4");
        assertThat(first[PacketLines.FIELDS.indexOf("ikeFragmentNumber")]).isEmpty();
    }

    @Test
    void shouldNameMissingFileAndExitNonZero() {
        Path missing = dir.resolve("nowhere.pcap");
        assertThat(run("decode", "-o", dir.resolve("o").toString(), missing.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("natshift decode: " + missing + ": no such file");
        assertThat(err.toString()).doesNotContain("Exception");
    }

    @Test
    void shouldNameFileThatIsNotACapture() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.pcap"), "these are not packets\n");
        assertThat(run("decode", "-o", dir.resolve("o").toString(), text.toString())).isEqualTo(1);
        assertThat(err.toString()).contains(text.toString()).doesNotContain("Exception");
    }

    @Test
    void shouldPrintPacketsBeforeCutAndNameWhereCaptureWasCut() throws IOException {
        byte[] whole = Files.readAllBytes(shared("tcpdump__ISAKMP_sa_setup.pcap"));
        Path cut = Files.write(dir.resolve("cut.pcap"), Arrays.copyOf(whole, whole.length - 40));
        Path out = dir.resolve("out.jsonl");

        assertThat(run("decode", "-o", out.toString(), cut.toString())).isEqualTo(1);

        assertThat(lines(out)).hasSize(8);
        assertThat(err.toString()).contains(cut.toString()).contains("frame 9").doesNotContain("Exception");
    }

    @Test
    void shouldRefuseUnsupportedLinkTypeNamingIt() throws IOException {
        Path file = dir.resolve("usb.pcap");
        try (PcapWriter w = new PcapWriter(Files.newOutputStream(file), 189)) {
            w.write(1_000_000L, new byte[64]);
        }
        assertThat(run("decode", "-o", dir.resolve("o").toString(), file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains(file + ": unsupported link type LINKTYPE_189 at frame 1");
    }

    @Test
    void shouldCountRejectedFramesByReasonAndKeepGoodOnesNextToThem() throws IOException {
        Path file = dir.resolve("mixed.pcap");
        try (PcapWriter w = new PcapWriter(Files.newOutputStream(file), LinkType.ETHERNET)) {
            w.write(1_000_000L, TestFrames.ethernetIpv4Udp(500, 500, TestFrames.aggressiveModeFirst(0x1122334455667788L)));
            w.write(1_000_001L, TestFrames.ethernetIpv4Udp(500, 500, new byte[20]));
            w.write(1_000_002L, TestFrames.ethernetIpv4Udp(4500, 4500, new byte[] {(byte) 0xFF}));
            w.write(1_000_003L, TestFrames.ethernetIpv4Udp(500, 500, TestFrames.aggressiveModeFirst(0x99L)));
        }
        Path out = dir.resolve("out.jsonl");
        assertThat(run("decode", "-o", out.toString(), file.toString())).isZero();

        List<String> lines = lines(out);
        assertThat(lines).hasSize(2);
        assertThat(JSON.readTree(lines.get(0)).get("initiatorSpi").asText()).isEqualTo("1122334455667788");
        assertThat(JSON.readTree(lines.get(1)).get("frame").asLong()).isEqualTo(4);
        assertThat(JSON.readTree(lines.get(1)).get("timestampMicros").asLong()).isEqualTo(1_000_003L);
        assertThat(err.toString()).contains("frames 4, IKE packets 2, NAT keepalives 1").contains("rejected 1 (TRUNCATED_HEADER 1)");
    }

    @Test
    void shouldGoOnWithNextFileAfterABadOne() throws IOException {
        Path out = dir.resolve("out.jsonl");
        int status = run("decode", "-o", out.toString(), dir.resolve("missing.pcap").toString(),
                shared("zsi__ipsec-ikev1-isakmp-aggressive-mode.pcap").toString());
        assertThat(status).isEqualTo(1);
        assertThat(lines(out)).hasSize(6);
        assertThat(err.toString()).contains("total: frames");
    }

    @Test
    void shouldKeepCaptureOrderAcrossManyBatchesFormattedInParallel() throws IOException {
        Path capture = dir.resolve("many.pcap");
        assertThat(run("synth", "--out", capture.toString(), "--subscribers", "400", "--duration", "2m", "--seed", "5",
                "--no-progress")).isZero();
        Path out = dir.resolve("many.jsonl");
        Path tsv = dir.resolve("many.tsv");

        assertThat(run("decode", "-o", out.toString(), capture.toString(), capture.toString())).isZero();
        assertThat(run("decode", "--format", "tsv", "-o", tsv.toString(), capture.toString())).isZero();

        List<String> json = lines(out);
        int perFile = json.size() / 2;
        assertThat(perFile).as("enough IKE packets for many 1,024-line batches").isGreaterThan(5 * 1024);
        long previous = 0;
        for (int i = 0; i < json.size(); i++) {
            long frame = JSON.readTree(json.get(i)).get("frame").asLong();
            if (i == perFile) {
                previous = 0; // the second file starts again at frame 1
            }
            assertThat(frame).as("line %d", i + 1).isGreaterThan(previous);
            previous = frame;
        }
        assertThat(json.subList(0, perFile)).isEqualTo(json.subList(perFile, json.size()));
        List<String> rows = lines(tsv);
        assertThat(rows).hasSize(perFile + 1);
        int frameColumn = PacketLines.FIELDS.indexOf("frame");
        for (int i = 0; i < perFile; i++) {
            assertThat(rows.get(i + 1).split("\t", -1)[frameColumn])
                    .isEqualTo(JSON.readTree(json.get(i)).get("frame").asText());
        }
    }

    @Test
    void shouldRefuseToRunWithoutACaptureFileAndShowTheUsage() {
        int status = run("decode");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).startsWith("Missing required parameter: 'FILE'").contains("Usage: natshift decode");
    }

    @Test
    void shouldRejectAnUnknownFormatNamingTheChoices() {
        int status = run("decode", "--format", "xml", "x.pcap");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '--format'", "JSON, TSV");
    }

    @Test
    void shouldNameTheOutputFileInOneLineWhenItCannotBeCreated() {
        Path out = dir.resolve("no-such-dir").resolve("out.jsonl");

        int status = run("decode", "-o", out.toString(), DecodeCommandTest.shared("tcpdump__isakmp4500.pcap").toString());

        assertThat(status).isEqualTo(1);
        assertThat(err.toString().strip()).doesNotContain("\n").doesNotContain("\tat ")
                .startsWith("natshift decode: " + out + ": cannot write output: ").contains("No such file or directory");
    }
}
