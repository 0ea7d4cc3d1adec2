package io.natshift.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import io.natshift.schemas.IngestValueSerde;
import io.natshift.schemas.Topics;
import io.natshift.topology.NatshiftTopology;
import io.natshift.topology.TopologyConfig;
import io.natshift.topology.TopologyCounters;

/**
 * Alert latency under a paced load: packets produced at RATE per second (wall clock), the topology
 * running exactly-once; latency = broker append time of the NatShift alert (alerts topic with
 * LogAppendTime) minus the producer acknowledgement of the shifted input packet. Prints p50/p99, and
 * the same for the alert's arrival at a read_committed reader (visible once the transaction commits).
 *
 * <p>Usage: AlertLatency BOOTSTRAP [RATE [SECONDS [STEADY_AFTER_SECONDS]]]: the paced stream runs for
 * SECONDS; shifts sent in its first STEADY_AFTER_SECONDS (default 0) are not counted, so the figures
 * are those of the steady state, not of the app's first seconds under load (JIT, caches).
 */
public final class AlertLatency {
    private AlertLatency() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int steadyAfter = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        SyntheticSas generator = new SyntheticSas(7);
        // about 10 packets per SA: rate / 10 SA starts per second of capture time
        List<SyntheticSas.Packet> packets = generator.generate(rate * seconds / 10, Math.max(1, rate / 10), 1_741_944_000_000L);
        String appId = "bench-latency-" + UUID.randomUUID();
        TopologyConfig config = TopologyConfig.from(Map.of("natshift.topic.prefix", appId + "."));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<String, String> alertsConfig = new java.util.HashMap<>(Topics.ALERTS.config());
            alertsConfig.put("message.timestamp.type", "LogAppendTime");
            admin.createTopics(List.of(new NewTopic(config.inputTopic(), 1, (short) 1).configs(Topics.IKE_PACKETS.config()),
                    new NewTopic(config.alertsTopic(), 1, (short) 1).configs(alertsConfig),
                    new NewTopic(config.sessionsTopic(), 1, (short) 1).configs(Topics.SESSIONS.config()))).all().get(30, TimeUnit.SECONDS);
            admin.createTopics(io.natshift.topology.correlation.CorrelationConfig.outputTopicsBeside(config.alertsTopic()).stream()
                    .map(t -> new NewTopic(t, 1, (short) 1)).toList()).all().get(30, TimeUnit.SECONDS);
        }
        TopologyCounters counters = new TopologyCounters();
        Map<String, Object> settings = new java.util.HashMap<>(Map.of(
                StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("natshift-latency").toString(),
                StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest"));
        // -Dstreams.X=Y sets Kafka Streams (or natshift.*) setting X for an experiment
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("streams."))
                .forEach(k -> settings.put(k.substring("streams.".length()), System.getProperty(k)));
        Properties props = NatshiftTopology.streamsProperties(appId, bootstrap, counters, settings);
        Map<Long, Long> inputAck = new ConcurrentHashMap<>();
        Map<Long, Long> alertAppend = new ConcurrentHashMap<>();
        // when a read_committed reader (a dashboard) receives the alert: after the transaction commits
        Map<Long, Long> alertSeen = new ConcurrentHashMap<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread reader = new Thread(() -> readAlerts(bootstrap, config.alertsTopic(), alertAppend, alertSeen, done), "alert-reader");
        try (KafkaStreams streams = new KafkaStreams(NatshiftTopology.build(config, counters), props)) {
            streams.start();
            while (streams.state() != KafkaStreams.State.RUNNING) {
                Thread.sleep(50);
            }
            reader.start();
            if (Boolean.getBoolean("latency.metrics")) {
                Thread m = new Thread(() -> {
                    java.util.Set<String> wanted = java.util.Set.of("records-lag-max", "commit-latency-avg", "commit-rate", "process-rate",
                            "poll-latency-avg", "poll-rate", "txn-commit-time-ns-total", "record-queue-time-avg", "fetch-latency-avg",
                            "punctuate-latency-avg", "punctuate-rate", "records-per-request-avg", "poll-records-avg");
                    while (!done.get()) {
                        StringBuilder line = new StringBuilder("metrics:");
                        streams.metrics().forEach((name, metric) -> {
                            if (wanted.contains(name.name()) && !name.tags().containsKey("task-id") && !name.tags().containsKey("topic")) {
                                line.append(' ').append(name.group().replace("-metrics", "")).append('/').append(name.name()).append('=')
                                        .append(String.format("%.1f", ((Number) metric.metricValue()).doubleValue()));
                            }
                        });
                        System.out.println(line);
                        try {
                            Thread.sleep(2000);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "metrics");
                m.setDaemon(true);
                m.start();
            }
            IngestValueSerde serde = io.natshift.schemas.Serdes.ingestValue();
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                warmUp(producer, serde, config.inputTopic(), alertAppend);
            }
            long start = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < packets.size(); i++) {
                    SyntheticSas.Packet packet = packets.get(i);
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    boolean shifted = generator.isShiftedPacket(packet) && i >= (long) steadyAfter * rate;
                    long spi = java.nio.ByteBuffer.wrap(packet.key()).getLong();
                    producer.send(new ProducerRecord<>(config.inputTopic(), 0, packet.timestamp(), packet.key(), serde.encode(packet.value())),
                            (metadata, e) -> {
                                if (e == null && shifted) {
                                    inputAck.put(spi, System.currentTimeMillis());
                                }
                            });
                }
                producer.flush();
            }
            double achieved = packets.size() / ((System.nanoTime() - start) / 1e9);
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (alertAppend.size() < inputAck.size() && System.nanoTime() < waitUntil) {
                Thread.sleep(100);
            }
            done.set(true);
            reader.join();
            List<Long> latencies = new ArrayList<>();
            for (var e : inputAck.entrySet()) {
                Long alert = alertAppend.get(e.getKey());
                if (alert != null) {
                    latencies.add(alert - e.getValue());
                }
            }
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] seen = inputAck.entrySet().stream().filter(e -> alertSeen.containsKey(e.getKey()))
                    .mapToLong(e -> alertSeen.get(e.getKey()) - e.getValue()).sorted().toArray();
            if (Boolean.getBoolean("latency.timeline")) {
                // worst alert per second of sending: tells a steady backlog from periodic stalls
                long first = inputAck.values().stream().mapToLong(Long::longValue).min().orElse(0);
                java.util.TreeMap<Long, Long> worst = new java.util.TreeMap<>();
                for (var e : inputAck.entrySet()) {
                    Long alert = alertAppend.get(e.getKey());
                    if (alert != null) {
                        worst.merge((e.getValue() - first) / 1000, alert - e.getValue(), Math::max);
                    }
                }
                worst.forEach((second, ms) -> System.out.printf("timeline: second %d worst %d ms%n", second, ms));
            }
            System.out.printf("alert latency at %,.0f packets/s (%,d packets, %,d shifts counted after the first %d s, %,d alerts matched): "
                            + "p50 %d ms, p99 %d ms, max %d ms%n",
                    achieved, packets.size(), inputAck.size(), steadyAfter, sorted.length, pct(sorted, 50), pct(sorted, 99),
                    sorted.length == 0 ? -1 : sorted[sorted.length - 1]);
            System.out.printf("alert visible to a read_committed reader (input acknowledged to alert received, same clock): p50 %d ms, p99 %d ms, max %d ms%n",
                    pct(seen, 50), pct(seen, 99), seen.length == 0 ? -1 : seen[seen.length - 1]);
        }
    }

    /**
     * Steady state, not start-up: a Streams app under exactly-once spends its first seconds assigning
     * tasks and initialising its transactional producer, and packets sent meanwhile queue up. So a
     * minute of capture time before the measured traffic goes in first, and the measurement starts
     * once all of its shifts have raised their alerts (the app is then running and has caught up).
     */
    private static void warmUp(KafkaProducer<byte[], byte[]> producer, IngestValueSerde serde, String topic, Map<Long, Long> alertAppend)
            throws InterruptedException {
        SyntheticSas warm = new SyntheticSas(8);
        List<SyntheticSas.Packet> packets = warm.generate(2_000, 200, 1_741_944_000_000L - 3_600_000L);
        java.util.Set<Long> shifted = new java.util.HashSet<>();
        for (SyntheticSas.Packet packet : packets) {
            if (warm.isShiftedPacket(packet)) {
                shifted.add(java.nio.ByteBuffer.wrap(packet.key()).getLong());
            }
            producer.send(new ProducerRecord<>(topic, 0, packet.timestamp(), packet.key(), serde.encode(packet.value())));
        }
        producer.flush();
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(120);
        while (!alertAppend.keySet().containsAll(shifted) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        System.out.printf("warm-up: %,d packets, %,d of %,d shifts alerted after %.1f s%n", packets.size(),
                shifted.stream().filter(alertAppend::containsKey).count(), shifted.size(), (System.nanoTime() - started) / 1e9);
    }

    private static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static void readAlerts(String bootstrap, String topic, Map<Long, Long> alertAppend, Map<Long, Long> alertSeen, AtomicBoolean done) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "latency-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // the receive time should be when the commit made the alert readable, not when a long poll gave up
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (!done.get()) {
                for (var r : consumer.poll(Duration.ofMillis(100))) {
                    long spi = Long.parseUnsignedLong(r.key().substring(0, 16), 16);
                    alertAppend.putIfAbsent(spi, r.timestamp());   // the first (pending) alert of the SA
                    alertSeen.putIfAbsent(spi, System.currentTimeMillis());
                }
            }
        }
    }
}
