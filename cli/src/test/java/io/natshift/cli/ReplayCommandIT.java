package io.natshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.natshift.kafka.LocalKafka;
import io.natshift.publish.IkeRecords;
import io.natshift.publish.IkeTraffic;
import io.natshift.schemas.Topics;

/** `natshift topics create` and `natshift replay` as the command line runs them, on the real broker. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplayCommandIT {
    static LocalKafka kafka;
    @TempDir
    Path tmp;

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

    record Run(int code, String out, String err) {
    }

    private static synchronized Run natshift(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = Natshift.commandLine().execute(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void shouldCreateTopicsWithTheirSettingsAndReportExistingOnesOnTheSecondRun() throws Exception {
        try (LocalKafka fresh = LocalKafka.start()) {
            assertTopicsCreatedOnce(fresh);
        }
    }

    private static void assertTopicsCreatedOnce(LocalKafka kafka) throws Exception {
        Run first = natshift("topics", "create", "--bootstrap", kafka.bootstrapServers(), "--partitions", "4", "--replication", "1");
        Run second = natshift("topics", "create", "--bootstrap", kafka.bootstrapServers(), "--partitions", "4", "--replication", "1");

        assertThat(first.code()).isZero();
        assertThat(first.out()).contains("natshift.ike-packets: created (4 partitions)");
        assertThat(second.code()).isZero();
        assertThat(second.out()).contains("natshift.ike-packets: exists, left unchanged");
        try (Admin admin = kafka.admin()) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, Topics.IKE_PACKETS.name());
            Config config = admin.describeConfigs(java.util.List.of(r)).all().get().get(r);
            assertThat(config.get("retention.ms").value()).isEqualTo("-1");
            assertThat(config.get("message.timestamp.type").value()).isEqualTo("CreateTime");
            assertThat(admin.describeTopics(java.util.List.of(Topics.IKE_PACKETS.name())).allTopicNames().get()
                    .get(Topics.IKE_PACKETS.name()).partitions()).hasSize(4);
        }
    }

    @Test
    void shouldReplayFilesAndPrintTheSummaryOnceEverythingIsAcknowledged() throws Exception {
        natshift("topics", "create", "--bootstrap", kafka.bootstrapServers(), "--partitions", "4", "--replication", "1");
        Path a = tmp.resolve("a.pcap");
        Path b = tmp.resolve("b.pcap");
        long start = IkeRecords.epochMicros(Instant.parse("2025-06-01T12:00:00Z"));
        IkeTraffic.write(a, 30, start, 1_000);
        IkeTraffic.write(b, 20, start + 500, 1_000);

        Run run = natshift("replay", a.toString(), b.toString(), "--bootstrap", kafka.bootstrapServers(),
                "--probe-id", "cli-it", "--vantage", "outside", "--speed", "1000");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("replay done: frames read 200, IKE packets 100, published 100, failed 0, rejected 0",
                "NAT keepalives 50", "ESP-in-UDP 50");
    }

    @Test
    void shouldExitThreeAndSayHowToCreateTheTopicWhenItIsMissing() throws Exception {
        try (LocalKafka empty = LocalKafka.start()) {
            Path a = tmp.resolve("a.pcap");
            IkeTraffic.write(a, 1, 1_000_000, 1);

            Run run = natshift("replay", a.toString(), "--bootstrap", empty.bootstrapServers());

            assertThat(run.code()).isEqualTo(3);
            assertThat(run.err()).contains("natshift replay: topic natshift.ike-packets does not exist on " + empty.bootstrapServers(),
                    "bin/natshift topics create --bootstrap " + empty.bootstrapServers());
        }
    }

    @Test
    void shouldRejectAnUnknownVantageNamingTheOption() {
        Run run = natshift("replay", "x.pcap", "--bootstrap", "127.0.0.1:1", "--vantage", "sideways");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--vantage").contains("sideways");
    }
}
