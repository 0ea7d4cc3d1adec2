package io.natshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.natshift.decode.TestFrames;
import io.natshift.kafka.LocalKafka;
import io.natshift.publish.IkeRecords;
import io.natshift.schemas.Topics;
import io.natshift.schemas.avro.IkePacket;

/**
 * `natshift capture` as an operator runs it (its own JVM, stopped by SIGTERM) on one end of a veth
 * pair whose other end sits in a network namespace; IKE packets are sent from inside the namespace
 * with a plain UDP socket (bash /dev/udp). Needs root and iproute2.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CaptureCommandIT {
    static LocalKafka kafka;
    String ns;
    String hostIf;
    String nsIf;
    String hostAddr;
    String nsAddr;
    Process capture;
    @TempDir
    Path tmp;

    @BeforeAll
    static void startBroker() {
        kafka = LocalKafka.start();
        int code = Natshift.commandLine().execute("topics", "create", "--bootstrap", kafka.bootstrapServers(), "--partitions", "3", "--replication", "1");
        assertThat(code).isZero();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void createNamespacePair() throws Exception {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        ns = "nsp-" + id;
        hostIf = "nsp-" + id + "-h";
        nsIf = "nsp-" + id + "-n";
        int net = ThreadLocalRandom.current().nextInt(1, 250);
        hostAddr = "10.213." + net + ".1";
        nsAddr = "10.213." + net + ".2";
        sh("ip", "netns", "add", ns);
        sh("ip", "link", "add", hostIf, "type", "veth", "peer", "name", nsIf);
        sh("ip", "link", "set", nsIf, "netns", ns);
        sh("ip", "addr", "add", hostAddr + "/30", "dev", hostIf);
        sh("ip", "link", "set", hostIf, "up");
        sh("ip", "netns", "exec", ns, "ip", "addr", "add", nsAddr + "/30", "dev", nsIf);
        sh("ip", "netns", "exec", ns, "ip", "link", "set", nsIf, "up");
        sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (capture != null && capture.isAlive()) {
            capture.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // deleting the namespace destroys its veth end and with it the pair; delete the host end too in case setup stopped half-way
        run(List.of("ip", "netns", "del", ns));
        run(List.of("ip", "link", "del", hostIf));
    }

    @Test
    void shouldPublishIkePacketsSentAcrossTheVethAndSummariseOnSigterm() throws Exception {
        Path out = tmp.resolve("capture.out");
        Path err = tmp.resolve("capture.err");
        capture = new ProcessBuilder("java", "-cp", "target/natshift-cli.jar" + java.io.File.pathSeparator + "target/lib/*",
                "io.natshift.cli.Natshift", "capture", "--interface", hostIf, "--bootstrap", kafka.bootstrapServers(),
                "--probe-id", "live-it", "--vantage", "gateway", "--heartbeat", "0")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        awaitContent(err, "capturing on " + hostIf);

        long[] spis = {0x44A81E8F3CE968DCL, 0x1122334455667788L, 0x0A0B0C0D0E0F1011L};
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < spis.length; i++) {
            Path payload = tmp.resolve("ike" + i + ".bin");
            Files.write(payload, TestFrames.aggressiveModeFirst(spis[i]));
            script.append("cat ").append(payload).append(" > /dev/udp/").append(hostAddr).append("/500; ");
        }
        // the NAT-T leg of the first SA: non-ESP marker, then IKE, to UDP 4500
        Path natT = tmp.resolve("natt.bin");
        Files.write(natT, TestFrames.natT(TestFrames.ike(spis[0], 0xC067353F5DE37295L, 0x10, 4, 0x01, 0, 8, new byte[48])));
        script.append("cat ").append(natT).append(" > /dev/udp/").append(hostAddr).append("/4500; ");
        // a NAT keepalive, which is counted, not published
        script.append("printf '\\xff' > /dev/udp/").append(hostAddr).append("/4500");
        sh("ip", "netns", "exec", ns, "bash", "-c", script.toString());

        List<IkePacket> packets = consume(4, Duration.ofSeconds(30));
        capture.destroy(); // SIGTERM
        assertThat(capture.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(packets).hasSize(4);
        assertThat(packets).extracting(p -> IkeRecords.spiValue(p.getInitiatorSpi()))
                .containsExactlyInAnyOrder(spis[0], spis[1], spis[2], spis[0]);
        assertThat(packets).allSatisfy(p -> {
            assertThat(p.getSrcAddr()).isEqualTo(nsAddr);
            assertThat(p.getDstAddr()).isEqualTo(hostAddr);
            assertThat(p.getVantage()).isEqualTo("gateway");
            assertThat(p.getProbeId()).isEqualTo("live-it");
            assertThat(p.getSource()).isEqualTo(hostIf);
        });
        assertThat(packets).filteredOn(IkePacket::getNatT).singleElement().satisfies(p -> assertThat(p.getDstPort()).isEqualTo(4500));
        String summary = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(capture.exitValue()).as(summary + Files.readString(err)).isZero();
        assertThat(summary).contains("capture stopped on " + hostIf, "IKE packets 4", "published 4", "NAT keepalives 1",
                "dropped: queue 0, kernel (ps_drop) 0");
    }

    @Test
    void shouldRefuseToStartWhenTheTopicIsMissingAndSayHowToCreateIt() throws Exception {
        Path out = tmp.resolve("capture.out");
        try (LocalKafka empty = LocalKafka.start()) {
            capture = new ProcessBuilder("java", "-cp", "target/natshift-cli.jar" + java.io.File.pathSeparator + "target/lib/*",
                    "io.natshift.cli.Natshift", "capture", "--interface", hostIf, "--bootstrap", empty.bootstrapServers())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertThat(capture.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(capture.exitValue()).isEqualTo(3);
            assertThat(Files.readString(out)).contains("topic natshift.ike-packets does not exist",
                    "bin/natshift topics create --bootstrap " + empty.bootstrapServers());
        }
    }

    private List<IkePacket> consume(int expected, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        // probes publish in transactions: committed records only, as every natshift consumer reads
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<IkePacket> packets = new ArrayList<>();
        try (KafkaConsumer<byte[], SpecificRecord> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                Topics.IKE_PACKETS.valueSerde().get().deserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(Topics.IKE_PACKETS.name()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (packets.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], SpecificRecord> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() instanceof IkePacket packet && hostIf.equals(packet.getSource())) {
                        packets.add(packet);
                    }
                }
            }
        }
        return packets;
    }

    private static void awaitContent(Path file, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && Files.readString(file).contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("capture did not start: " + (Files.exists(file) ? Files.readString(file) : "(no output)"));
    }

    private static void sh(String... command) throws IOException, InterruptedException {
        String output = run(List.of(command));
        if (output != null) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    /** Runs a command; null on success, else its output. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? null : output.trim();
    }
}
