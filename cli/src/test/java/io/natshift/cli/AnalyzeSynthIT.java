package io.natshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.natshift.kafka.LocalKafka;

/**
 * `natshift analyze --bootstrap` on one real broker shared by the class (each run under its own topic
 * prefix and application id): synthetic captures checked against synth's ground truth exactly (every
 * shift with its addresses, gateway, outcome and evidence frames, and nothing else), for every --ike
 * and --pooling choice and for a capture taken at two vantages; the incident sample as JSON; and the
 * cluster left as it was found.
 */
@Timeout(240)
class AnalyzeSynthIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalKafka kafka;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startBroker() {
        kafka = LocalKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private JsonNode analyze(List<String> args) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = Natshift.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("analyze", "--bootstrap", kafka.bootstrapServers(), "--format", "json", "--quiet",
                "--tmp-dir", dir.toString()));
        all.addAll(args);
        int status = cl.execute(all.toArray(String[]::new));
        assertThat(status).as(err.toString()).isZero();
        return JSON.readTree(out.toString());
    }

    private static Path synth(String name, String... options) {
        Path out = dir.resolve(name + ".pcap");
        List<String> args = new ArrayList<>(List.of("synth", "--out", out.toString(), "--subscribers", "150", "--duration", "3m",
                "--esp-rate", "0", "--gateways", "2", "--gateway-behaviour", "mix:0.5", "--no-progress"));
        args.addAll(List.of(options));
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = Natshift.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        assertThat(cl.execute(args.toArray(String[]::new))).as(err.toString()).isZero();
        return out;
    }

    private static Set<String> shifts(JsonNode list, String framesField) {
        Set<String> set = new HashSet<>();
        for (JsonNode s : list) {
            set.add(String.join(" ", s.path("initiatorSpi").asText(), s.path("responderSpi").asText(), s.path("before").asText(),
                    s.path("after").asText(), s.path("gateway").asText(), s.path("outcome").asText(), s.path(framesField).toString()));
        }
        return set;
    }

    @ParameterizedTest(name = "--ike {0} --pooling {1}")
    @CsvSource({"v1-main, arbitrary", "v1-aggressive, arbitrary", "v2, arbitrary", "mix, paired", "mix, mix:0.5"})
    void shouldFindExactlyTheGeneratedShifts(String ike, String pooling) throws IOException {
        String name = "synth-" + ike + "-" + pooling.replace(':', '_');
        Path capture = synth(name, "--ike", ike, "--pooling", pooling, "--seed", "11");
        JsonNode truth = JSON.readTree(dir.resolve(name + ".truth.json").toFile());

        JsonNode report = analyze(List.of(capture.toString()));

        assertThat(shifts(report.path("natShifts"), "evidenceFrames")).isEqualTo(shifts(truth.path("shifts"), "evidenceFrames"));
        assertThat(report.path("natShifts").size()).isEqualTo(truth.path("totals").path("shifts").asInt());
        assertThat(report.path("sessions").path("established").asInt()).isEqualTo(truth.path("totals").path("establishedSas").asInt());
        long failedShifts = 0;
        for (JsonNode s : truth.path("shifts")) {
            failedShifts += s.path("outcome").asText().equals("failed") ? 1 : 0;
        }
        assertThat(report.path("sessions").path("byCause").path("nat-shift").asLong()).isEqualTo(failedShifts);
        if (pooling.equals("paired")) {
            assertThat(report.path("natShifts").size()).isZero();
            assertThat(report.path("pools").findValuesAsText("verdict")).containsOnly("paired");
            assertThat(report.path("diagnosis").asText()).startsWith("No fault found");
        } else {
            assertThat(report.path("natShifts").size()).isPositive();
            assertThat(report.path("pools").findValuesAsText("verdict")).contains("arbitrary");
            assertThat(report.path("diagnosis").asText()).contains("RFC 4787 REQ-2");
        }
    }

    @Test
    void shouldFindTheShiftsOfATwoVantageCaptureOnce() throws IOException {
        synth("both", "--ike", "mix", "--pooling", "arbitrary", "--vantage", "both", "--seed", "12");
        Path outside = dir.resolve("both-outside.pcap");
        Path inside = dir.resolve("both-inside.pcap");
        JsonNode truth = JSON.readTree(dir.resolve("both.truth.json").toFile());

        JsonNode report = analyze(List.of(inside.toString(), outside.toString(),
                "--vantage", inside + "=inside", "--vantage", outside + "=outside"));

        assertThat(report.path("files").findValuesAsText("vantage")).containsExactly("inside", "outside");
        assertThat(shifts(report.path("natShifts"), "evidenceFrames")).isEqualTo(shifts(truth.path("shifts"), "evidenceFrames"));
        assertThat(report.path("natShifts").findValuesAsText("vantage")).containsOnly("outside");
        assertThat(report.path("sessions").path("established").asInt()).isEqualTo(truth.path("totals").path("establishedSas").asInt());
    }

    @Test
    void shouldReportTheIncidentAsJsonAndLeaveTheClusterAsItWas() throws Exception {
        Set<String> before;
        try (Admin admin = kafka.admin()) {
            before = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }

        JsonNode report = analyze(List.of(AnalyzeCommandIT.INCIDENT.toString()));

        assertThat(report.path("format").asText()).isEqualTo("natshift-analyze/1");
        assertThat(report.path("frames").asLong()).isEqualTo(30);
        assertThat(report.path("ikePackets").asLong()).isEqualTo(16);
        assertThat(report.path("sessions").path("total").asInt()).isEqualTo(3);
        assertThat(report.path("sessions").path("failed").asInt()).isEqualTo(3);
        assertThat(report.path("sessions").path("byCause").path("nat-shift").asInt()).isEqualTo(1);
        JsonNode shift = report.path("natShifts");
        assertThat(shift.size()).isEqualTo(1);
        assertThat(shift.get(0).path("initiatorSpi").asText()).isEqualTo("44a81e8f3ce968dc");
        assertThat(shift.get(0).path("responderSpi").asText()).isEqualTo("c067353f5de37295");
        assertThat(shift.get(0).path("outcome").asText()).isEqualTo("failed");
        assertThat(shift.get(0).path("gateway").asText()).isEqualTo("172.31.1.76");
        assertThat(shift.get(0).path("evidenceFrames").toString()).isEqualTo("[15,17,18,19,20,21,25,26,27,28,29,30]");
        // from natshift.pool-stats, under analyze's thresholds: a capture's one shift proves arbitrary pooling
        assertThat(report.path("pools").get(0).path("verdict").asText()).isEqualTo("arbitrary");
        assertThat(report.path("pools").get(0).path("source").asText()).isEqualTo("natshift.pool-stats");
        assertThat(report.path("gateways").get(0).path("gateway").asText()).isEqualTo("172.31.1.76");
        try (Admin admin = kafka.admin()) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).isEqualTo(before);
            assertThat(admin.listGroups().all().get(30, TimeUnit.SECONDS)).noneMatch(g -> g.groupId().startsWith("natshift-analyze-"));
        }
    }

    /** The HTML report opened in headless Chromium: a script added to a copy reads back what the browser laid out. */
    @Test
    void shouldDrawTheIncidentLadderInARealBrowser() throws Exception {
        Path html = dir.resolve("incident.html");
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = Natshift.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        int status = cl.execute("analyze", "--bootstrap", kafka.bootstrapServers(), "--format", "html", "--out", html.toString(),
                "--quiet", "--tmp-dir", dir.toString(), AnalyzeCommandIT.INCIDENT.toString());
        assertThat(status).as(err.toString()).isZero();
        String page = java.nio.file.Files.readString(html);
        assertThat(page).doesNotContain("<script").doesNotContainPattern("(src|href)=\"(https?:)?//");

        JsonNode seen = Browser.inspect(html, dir, """
                const packets = [...document.querySelectorAll('svg.ladder g.packet')];
                const frames = sel => [...document.querySelectorAll('svg.ladder g.packet' + sel)].map(g => Number(g.dataset.frame));
                return {
                  ladders: document.querySelectorAll('svg.ladder').length,
                  sa: document.querySelector('svg.ladder').dataset.sa,
                  frames: frames(''), shift: frames('.shift'), retransmission: frames('.retransmission'),
                  unanswered: frames('.unanswered'),
                  lanes: [...document.querySelectorAll('svg.ladder g.lane')].map(g => g.dataset.lane),
                  arrowsDrawn: packets.filter(g => g.querySelector('line.arrow').getBBox().width > 100).length,
                  labels: [...document.querySelectorAll('svg.ladder text.label')].map(t => t.textContent),
                  cookies: [...document.querySelectorAll('svg.ladder text.cookies')].map(t => t.textContent),
                  timelineBars: document.querySelectorAll('svg.timeline rect.bar').length,
                  diagnosis: document.getElementById('diagnosis').textContent
                };""");

        assertThat(seen.path("ladders").asInt()).isEqualTo(1);
        assertThat(seen.path("sa").asText()).isEqualTo("44a81e8f3ce968dc-c067353f5de37295");
        assertThat(seen.path("frames").toString()).isEqualTo("[15,17,18,19,20,21,25,26,27,28,29,30]");
        assertThat(seen.path("shift").toString()).isEqualTo("[18,19,20,21,26,27,28,29,30]");
        assertThat(seen.path("retransmission").toString()).isEqualTo("[25,26,27]");
        assertThat(seen.path("unanswered").toString()).isEqualTo("[18,19,26,27]");
        assertThat(seen.path("lanes").toString()).isEqualTo("[\"subscriber\",\"probe-inside\",\"nat\",\"probe-outside\",\"gateway\"]");
        assertThat(seen.path("arrowsDrawn").asInt()).isEqualTo(12);
        assertThat(seen.path("labels").get(2).asText()).isEqualTo("#18  +0.131 s  aggressive-3  UDP 4500");
        assertThat(seen.path("labels").get(6).asText()).contains("#25").contains("aggressive-2").contains("retransmission");
        assertThat(seen.path("cookies").get(2).asText()).isEqualTo("44a81e8f3ce968dc/c067353f5de37295");
        assertThat(seen.path("timelineBars").asInt()).isPositive();
        assertThat(seen.path("diagnosis").asText()).contains("RFC 4787 REQ-2");
    }
}
