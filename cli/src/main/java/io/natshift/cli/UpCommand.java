package io.natshift.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

import io.natshift.kafka.LocalKafka;
import io.natshift.publish.TopicSetup;
import io.natshift.schemas.Topics;
import io.natshift.topology.NatshiftTopology;
import io.natshift.topology.TopologyConfig;
import io.natshift.topology.TopologyCounters;
import io.natshift.topology.correlation.CorrelationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "up", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A local live setup in one process: the embedded Kafka broker (loopback, temporary directory),",
                "every natshift topic, and the streams app on it. Prints the bootstrap address on stdout; feed it with",
                "`replay` or `capture --bootstrap ADDRESS`, watch it with `tail --bootstrap ADDRESS`. Runs until",
                "interrupted, then removes its data."})
final class UpCommand implements Callable<Integer> {

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of every topic (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--output-format", paramLabel = "avro|json",
            description = "natshift.output.format of the streams app (default avro; overrides --config).")
    String outputFormat;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file: natshift.* settings (timeouts, verdict thresholds, ...) and any Kafka Streams setting, as for `streams`.")
    Path configFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Properties settings = ConfigFile.load(configFile, "up", err);
        if (settings == null) {
            return 2;
        }
        if (outputFormat != null) {
            settings.setProperty("natshift.output.format", outputFormat);
        }
        TopologyConfig config;
        CorrelationConfig correlation;
        try {
            config = TopologyConfig.from(settings);
            correlation = CorrelationConfig.from(settings);
        } catch (IllegalArgumentException e) {
            err.println("natshift up: " + (configFile != null ? configFile + ": " : "") + e.getMessage());
            return 2;
        }
        LocalKafka kafka;
        try {
            kafka = LocalKafka.start();
        } catch (RuntimeException e) {
            err.println("natshift up: the local Kafka broker cannot start: " + e.getMessage());
            return 4;
        }
        Path state = Files.createTempDirectory("natshift-up-state-");
        TopologyCounters counters = new TopologyCounters();
        CountDownLatch stopped = new CountDownLatch(1);
        try (Admin admin = kafka.admin()) {
            TopicSetup.create(admin, Topics.all(), partitions, Optional.empty());
            Map<Object, Object> overrides = new HashMap<>(settings);
            overrides.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
            Properties props = NatshiftTopology.streamsProperties("natshift-streams", kafka.bootstrapServers(), counters, overrides);
            KafkaStreams streams = new KafkaStreams(NatshiftTopology.build(config, correlation, counters), props);
            streams.setUncaughtExceptionHandler(e -> {
                err.println("natshift up: stream thread failed: " + e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                    stopped.countDown();
                }
            });
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                streams.close();
                kafka.close();
                deleteQuietly(state);
                stopped.countDown();
            }, "natshift-up-shutdown"));
            streams.start();
            out.println(kafka.bootstrapServers());
            out.flush();
            err.println("natshift up: broker and streams app running; bootstrap " + kafka.bootstrapServers());
            err.println("  feed it:  bin/natshift replay --bootstrap " + kafka.bootstrapServers() + " FILE.pcap");
            err.println("  watch it: bin/natshift tail --bootstrap " + kafka.bootstrapServers() + " --topic alerts --from-beginning");
            err.println("  Ctrl-C stops everything and removes its data");
            err.flush();
            stopped.await();
        }
        err.println("natshift up: " + counters);
        return 0;
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // temporary state only
        }
    }
}
