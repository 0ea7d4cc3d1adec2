package io.natshift.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * Apache Kafka's own server, one node in KRaft combined mode (broker and controller), on 127.0.0.1
 * with free ports and a private data directory. Used by every Kafka test and by the one-command
 * paths ({@code analyze}, {@code up}).
 *
 * <p>In-process ({@link KafkaRaftServer}) rather than a child JVM: it starts in about two seconds,
 * needs no class path or {@code java} binary discovery (failsafe, the shaded CLI and IDEs differ
 * there), and its failures surface as exceptions in the caller. The price, shared heap and CPU
 * with the caller, is acceptable on loopback; production uses a real cluster.
 *
 * <p>{@link #stop()} keeps ports and data, so {@link #restart()} brings the same broker back (the
 * no-loss test restarts it under a running producer); {@link #close()} stops and deletes the data.
 * Storage is formatted by {@link Formatter}, the code {@code kafka-storage.sh format} runs.
 */
public final class LocalKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);
    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final boolean ownsDataDir;
    private final int brokerPort;
    private final int controllerPort;
    private final Map<String, String> overrides;
    private final String clusterId = Uuid.randomUuid().toString();
    private KafkaRaftServer server;
    private boolean formatted;

    private LocalKafka(Path dataDir, boolean ownsDataDir, int brokerPort, int controllerPort, Map<String, String> overrides) {
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.overrides = Map.copyOf(overrides);
    }

    /** A new broker on free ports in a new temporary directory, started and serving metadata. */
    public static LocalKafka start(Map<String, String> brokerConfigOverrides) {
        Path dir;
        try {
            dir = Files.createTempDirectory("natshift-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the local Kafka broker", e);
        }
        LocalKafka kafka = new LocalKafka(dir, true, freePort(), freePort(), brokerConfigOverrides);
        try {
            kafka.startServer();
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    public static LocalKafka start() {
        return start(Map.of());
    }

    /** Stops the broker if it runs and starts it again on the same ports and data; returns once it serves metadata. */
    public synchronized void restart() {
        stop();
        startServer();
    }

    private void startServer() {
        KafkaConfig config = new KafkaConfig(brokerProperties(), false);
        if (!formatted) {
            format(config);
            formatted = true;
        }
        KafkaRaftServer s = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            s.startup();
        } catch (RuntimeException e) {
            s.shutdown();
            throw new IllegalStateException("local Kafka broker did not start on " + bootstrapServers() + ": " + e.getMessage(), e);
        }
        server = s;
        awaitMetadata();
        LOG.info("local Kafka broker serving on {} (data {})", bootstrapServers(), dataDir);
    }

    /** Shuts the broker down cleanly, keeping its ports and data for {@link #restart()}. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Client properties to reach this broker. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return p;
    }

    public Admin admin() {
        return Admin.create(clientProperties());
    }

    /** Stops the broker and deletes its data directory (when it created it). */
    @Override
    public synchronized void close() {
        try {
            stop();
        } finally {
            if (ownsDataDir) {
                deleteRecursively(dataDir);
            }
        }
    }

    private Map<String, String> brokerProperties() {
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.resolve("log").toString());
        // one node: internal topics cannot have more replicas than that
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // topics are created by `natshift topics create` or the test, never by a producer's first send
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        // The broker forgets an idempotent producer when now - (max RECORD timestamp of its last batch)
        // >= this, outside a transaction; replayed captures carry old timestamps. The maximum (an int,
        // ~24.8 days) helps idle producers a little; the probes rely on transactions, not on this.
        p.put("producer.id.expiration.ms", Integer.toString(Integer.MAX_VALUE));
        p.putAll(overrides);
        return p;
    }

    private void format(KafkaConfig config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(out, true, StandardCharsets.UTF_8))
                .setNodeId(NODE_ID)
                .setClusterId(clusterId)
                .setDirectories(List.of(config.metadataLogDir()))
                .setMetadataLogDirectory(config.metadataLogDir())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setWriteBootstrapSnapshot(true)
                .setHasDynamicQuorum(false)
                .setIgnoreFormatted(true);
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + config.metadataLogDir() + ": " + e.getMessage(), e);
        }
        LOG.debug("formatted {}: {}", config.metadataLogDir(), out.toString(StandardCharsets.UTF_8).trim());
    }

    private void awaitMetadata() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    last = e;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the local Kafka broker", e);
        }
        throw new IllegalStateException("local Kafka broker on " + bootstrapServers() + " serves no metadata after " + READY_TIMEOUT.toSeconds() + " s", last);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + HOST, e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.warn("cannot delete {}: {}", path, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", dir, e.getMessage());
        }
    }
}
