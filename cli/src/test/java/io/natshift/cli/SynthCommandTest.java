package io.natshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class SynthCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        picocli.CommandLine cl = Natshift.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void shouldWriteInsideOutsideAndTruthFilesWhenVantageIsBoth() throws IOException {
        Path out = dir.resolve("rehearsal.pcap");
        int status = run("synth", "--out", out.toString(), "--subscribers", "20", "--duration", "2m", "--seed", "3",
                "--ike", "v1-aggressive", "--pooling", "mix:0.5", "--pools", "2", "--gateway-behaviour", "mix:0.5",
                "--gateways", "2", "--vantage", "both", "--loss", "0.01", "--udp4500-blocked", "0.1",
                "--overloaded", "0.5", "--address-updates", "0.2", "--malformed", "0.01", "--no-progress");

        assertThat(status).as(err.toString()).isZero();
        assertThat(dir.resolve("rehearsal-inside.pcap")).isNotEmptyFile();
        assertThat(dir.resolve("rehearsal-outside.pcap")).isNotEmptyFile();
        JsonNode truth = JSON.readTree(dir.resolve("rehearsal.truth.json").toFile());
        assertThat(truth.path("format").asText()).isEqualTo("natshift-synth-truth/1");
        assertThat(truth.path("options").path("ike").asText()).isEqualTo("v1-aggressive");
        assertThat(truth.path("options").path("vantage").asText()).isEqualTo("both");
        assertThat(truth.path("options").path("durationMicros").asLong()).isEqualTo(120_000_000L);
        assertThat(truth.path("pools").get(0).path("pooling").asText()).isEqualTo("arbitrary");
        assertThat(truth.path("pools").get(1).path("pooling").asText()).isEqualTo("paired");
        assertThat(truth.path("gateways").get(0).path("behaviour").asText()).isEqualTo("strict");
        assertThat(truth.path("gateways").get(1).path("behaviour").asText()).isEqualTo("follows-new-address");
        assertThat(truth.path("subscribers")).hasSize(20);
    }

    @Test
    void shouldNameTheOptionWhenAFractionIsMalformed() {
        int status = run("synth", "--out", dir.resolve("x.pcap").toString(), "--pooling", "mix:lots");

        assertThat(status).isNotZero();
        assertThat(err.toString()).contains("--pooling").contains("mix:lots").doesNotContain("Exception");
    }

    @Test
    void shouldRejectAnUnknownIkeModeWithTheAcceptedValues() {
        int status = run("synth", "--out", dir.resolve("x.pcap").toString(), "--ike", "v3");

        assertThat(status).isNotZero();
        assertThat(err.toString()).contains("--ike").contains("v1-main, v1-aggressive, v2 or mix");
    }

    @Test
    void shouldRejectADurationWithoutAUnit() {
        int status = run("synth", "--out", dir.resolve("x.pcap").toString(), "--duration", "10");

        assertThat(status).isNotZero();
        assertThat(err.toString()).contains("--duration");
    }

    @Test
    void shouldSayWhichFileItCannotWriteWithoutAStackTrace() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Path out = notADirectory.resolve("x.pcap");
        int status = run("synth", "--out", out.toString(), "--subscribers", "2", "--duration", "10s", "--no-progress");

        assertThat(status).isNotZero();
        assertThat(err.toString()).contains("cannot write " + out).doesNotContain("\tat ");
    }
}
