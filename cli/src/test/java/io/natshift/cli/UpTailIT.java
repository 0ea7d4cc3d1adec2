package io.natshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `natshift up` as an operator runs it (its own JVM, stopped by SIGTERM): it prints the bootstrap
 * address, `replay` feeds it the incident, and `tail` prints the shift alert as a readable line.
 */
@Timeout(180)
class UpTailIT {
    @TempDir
    Path tmp;

    private Process up;

    @AfterEach
    void stop() throws InterruptedException {
        if (up != null && up.isAlive()) {
            up.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private int run(StringWriter out, StringWriter err, String... args) {
        picocli.CommandLine cl = Natshift.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void shouldShowTheIncidentAlertFromAReplayIntoUp() throws Exception {
        up = new ProcessBuilder("java", "-Djava.io.tmpdir=" + tmp, "-cp", "target/natshift-cli.jar" + java.io.File.pathSeparator + "target/lib/*",
                "io.natshift.cli.Natshift", "up", "--partitions", "2")
                .redirectError(tmp.resolve("up.err").toFile())
                .start();
        String bootstrap = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(bootstrap).as("first stdout line of up").matches("127\\.0\\.0\\.1:\\d+");

        StringWriter replayErr = new StringWriter();
        assertThat(run(new StringWriter(), replayErr, "replay", "--bootstrap", bootstrap, "--probe-id", "gw",
                "--vantage", "gateway", AnalyzeCommandIT.INCIDENT.toString())).as(replayErr.toString()).isZero();

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = run(out, err, "tail", "--bootstrap", bootstrap, "--topic", "alerts", "--from-beginning", "--max", "1");

        assertThat(status).as(err.toString()).isZero();
        assertThat(out.toString().strip()).isEqualTo("2025-03-14T09:26:56.551Z  shift pending   critical "
                + "44a81e8f3ce968dc-c067353f5de37295  203.0.113.10:28815 -> 203.0.113.77:61204  gateway 172.31.1.76  "
                + "gateway/gw  frames 15-18 of " + AnalyzeCommandIT.INCIDENT);

        up.destroy(); // SIGTERM: closes streams and broker, removes the data
        assertThat(up.waitFor(60, TimeUnit.SECONDS)).isTrue();
        try (var left = java.nio.file.Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsOnly("up.err");
        }
    }

    @Test
    void shouldNameTheOutputTopicsWhenTailIsGivenAnotherTopic() {
        StringWriter err = new StringWriter();
        int status = run(new StringWriter(), err, "tail", "--bootstrap", "127.0.0.1:1", "--topic", "ike-packets");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).startsWith("natshift tail: --topic ike-packets: not an output topic; one of alerts, sessions");
    }
}
