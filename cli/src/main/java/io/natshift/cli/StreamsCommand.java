package io.natshift.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

import io.natshift.topology.NatshiftTopology;
import io.natshift.topology.TopologyConfig;
import io.natshift.topology.correlation.CorrelationConfig;
import io.natshift.topology.TopologyCounters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "streams", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Run the natshift topology as a long-lived service: natshift.ike-packets in,",
                "natshift.alerts and natshift.sessions out (see docs/topology.md for every setting).",
                "Stops cleanly on SIGTERM/Ctrl-C and prints what it dropped, by reason, on stderr."})
final class StreamsCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT[,...]", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--application-id", paramLabel = "ID", defaultValue = "natshift-streams",
            description = "Kafka Streams application id: names the consumer group and the changelog topics (default: ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file: natshift.* settings and any Kafka Streams setting (e.g. processing.guarantee=at_least_once).")
    Path configFile;

    @Option(names = "--output-format", paramLabel = "avro|json", description = "Overrides natshift.output.format.")
    String outputFormat;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Properties settings = ConfigFile.load(configFile, "streams", err);
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
            err.println("natshift streams: " + (configFile != null ? configFile + ": " : "") + e.getMessage());
            return 2;
        }
        TopologyCounters counters = new TopologyCounters();
        Properties props = NatshiftTopology.streamsProperties(applicationId, bootstrap, counters, settings);
        CountDownLatch stopped = new CountDownLatch(1);
        try (KafkaStreams streams = new KafkaStreams(NatshiftTopology.build(config, correlation, counters), props)) {
            streams.setUncaughtExceptionHandler(e -> {
                err.println("natshift streams: stream thread failed: " + e);
                err.flush();
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                    stopped.countDown();
                }
            });
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                streams.close();
                stopped.countDown();
            }, "natshift-streams-shutdown"));
            streams.start();
            err.println("natshift streams: " + applicationId + " reading " + config.inputTopic() + " from " + bootstrap);
            err.flush();
            stopped.await();
        } finally {
            err.println("natshift streams: " + counters);
            err.flush();
        }
        return 0;
    }
}
