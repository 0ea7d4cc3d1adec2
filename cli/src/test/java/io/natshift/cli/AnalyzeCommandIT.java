package io.natshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.natshift.capture.PcapWriter;

/**
 * `natshift analyze` as a user runs it, with its own embedded broker: the founding incident's sample
 * gives the diagnosis; bad input gives one clear line, a non-zero exit and no temporary files left.
 */
@Timeout(180)
class AnalyzeCommandIT {
    static final Path INCIDENT = Path.of("..", "samples", "incident-gateway-side.pcap");

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        picocli.CommandLine cl = Natshift.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private long leftovers() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith("natshift-analyze-")).count();
        }
    }

    @Test
    void shouldDiagnoseTheIncidentShiftAsFailedOnAnEmbeddedBroker() throws IOException {
        int status = run("analyze", INCIDENT.toString(), "--vantage", INCIDENT + "=gateway", "--tmp-dir", tmp.toString(), "--quiet");

        assertThat(status).as(err.toString()).isZero();
        String report = out.toString();
        assertThat(report).containsPattern("44a81e8f3ce968dc\\s+c067353f5de37295\\s+203\\.0\\.113\\.10:28815 -> 203\\.0\\.113\\.77:61204\\s+172\\.31\\.1\\.76\\s+failed")
                .contains("failed by cause  initiator-gave-up 1, nat-shift 1, no-response 1")
                // the topology's verdict (natshift.pool-stats) under analyze's thresholds: one shift proves it
                .containsPattern("auto:203\\.0\\.113\\.0/24\\s+arbitrary\\s+1\\s+1")
                .contains("RFC 4787 REQ-2")
                .contains("enable paired address pooling");
        assertThat(report).startsWith("natshift analyze: ").doesNotContain("WARN").doesNotContain("ERROR");
        assertThat(leftovers()).isZero();
    }

    @Test
    void shouldNameTheFileWhenItDoesNotExist() throws IOException {
        int status = run("analyze", tmp.resolve("missing.pcap").toString(), "--tmp-dir", tmp.toString(), "--quiet");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("natshift analyze: " + tmp.resolve("missing.pcap") + ": no such file");
        assertThat(out.toString()).isEmpty();
        assertThat(leftovers()).isZero();
    }

    @Test
    void shouldRejectAFileThatIsNotACapture() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.pcap"), "these are notes, not packets\n");

        int status = run("analyze", text.toString(), "--tmp-dir", tmp.toString(), "--quiet");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).startsWith("natshift analyze: " + text).doesNotContain("Exception").hasLineCount(1);
        assertThat(leftovers()).isZero();
    }

    @Test
    void shouldSayThereIsNoIkeWhenTheCaptureHoldsOtherTraffic() throws IOException {
        Path dns = tmp.resolve("dns.pcap");
        try (PcapWriter w = new PcapWriter(Files.newOutputStream(dns), 1)) { // LINKTYPE_ETHERNET
            for (int i = 0; i < 5; i++) {
                w.write(1_700_000_000_000_000L + i * 1000, udpFrame(53));
            }
        }

        int status = run("analyze", dns.toString(), "--tmp-dir", tmp.toString(), "--quiet");

        assertThat(status).as(err.toString()).isEqualTo(3);
        assertThat(err.toString().strip()).isEqualTo("natshift analyze: " + dns + ": no IKE packets (UDP 500/4500 ISAKMP) among 5 frames");
        assertThat(out.toString()).isEmpty();
        assertThat(leftovers()).isZero();
    }

    @Test
    void shouldSayTheBrokerCannotStartWhenItsDirectoryCannotBeCreated() throws IOException {
        Path notADirectory = Files.writeString(tmp.resolve("file"), "x");

        int status = run("analyze", INCIDENT.toString(), "--tmp-dir", notADirectory.toString(), "--quiet");

        assertThat(status).isEqualTo(4);
        assertThat(err.toString()).startsWith("natshift analyze: cannot create a temporary directory in " + notADirectory)
                .hasLineCount(1);
        assertThat(out.toString()).isEmpty();
    }

    /** Ethernet / IPv4 / UDP to {@code port} with a small payload. */
    static byte[] udpFrame(int port) {
        byte[] f = new byte[14 + 20 + 8 + 12];
        f[12] = 0x08; // IPv4
        int ip = 14;
        f[ip] = 0x45;
        int total = 20 + 8 + 12;
        f[ip + 2] = (byte) (total >> 8);
        f[ip + 3] = (byte) total;
        f[ip + 8] = 64;
        f[ip + 9] = 17;
        f[ip + 12] = 10; f[ip + 15] = 1;
        f[ip + 16] = 10; f[ip + 19] = 2;
        int udp = ip + 20;
        f[udp] = (byte) 0xc3; f[udp + 1] = 0x50;
        f[udp + 2] = (byte) (port >> 8); f[udp + 3] = (byte) port;
        f[udp + 5] = 20;
        return f;
    }
}
