package io.natshift.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.Stores;

import io.natshift.schemas.IngestValueSerde;
import io.natshift.topology.NatshiftTopology;
import io.natshift.topology.TopologyConfig;
import io.natshift.topology.TopologyCounters;

/**
 * Throughput of natshift's topology against the most trivial stateful Kafka Streams app (one
 * persistent key-value store, one get and one put per record keyed by initiator SPI), both
 * exactly-once, same threads and cache, on the same input topic of a real broker; plus a plain
 * consumer reading the topic for scale. Rounds alternate the two apps; medians are printed.
 *
 * <p>Usage: TopologyThroughput BOOTSTRAP [SAS [ROUNDS [STATE_DIR]]]
 */
public final class TopologyThroughput {
    private static final String BASELINE_STORE = "baseline-store";

    private final String bootstrap;
    private final Path stateRoot;
    /** -Dbench.input.topic: a one-partition topic already holding the input (the script's synth mode), else generated here. */
    private final String topic = System.getProperty("bench.input.topic", "bench-ike-packets-" + UUID.randomUUID());
    private long records;

    private TopologyThroughput(String bootstrap, Path stateRoot) {
        this.bootstrap = bootstrap;
        this.stateRoot = stateRoot;
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int sas = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path state = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("natshift-bench-state");
        new TopologyThroughput(bootstrap, state).run(sas, rounds);
    }

    private void run(int sas, int rounds) throws Exception {
        if (System.getProperty("bench.input.topic") != null) {
            records = givenInput();
            System.out.printf("input: %,d records on topic %s (%s)%n", records, topic, System.getProperty("bench.input.description", "given"));
        } else {
            SyntheticSas generator = new SyntheticSas(42);
            List<SyntheticSas.Packet> packets = generator.generate(sas, 100, 1_741_944_000_000L);
            records = packets.size();
            System.out.printf("input: %,d IKE packets from %,d SAs (%,d shifted), topic %s%n", records, sas, generator.shifted(), topic);
            produce(packets);
        }

        System.out.printf("consumer (plain KafkaConsumer, scale): %,.0f records/s%n", consumerRate());
        List<Double> natshift = new ArrayList<>();
        List<Double> baseline = new ArrayList<>();
        List<Double> natshiftCpu = new ArrayList<>();
        List<Double> baselineCpu = new ArrayList<>();
        List<Double> natshiftMachine = new ArrayList<>();
        List<Double> natshiftAfter = new ArrayList<>();
        List<Double> baselineAfter = new ArrayList<>();
        List<Double> baselineMachine = new ArrayList<>();
        // Rounds of each first, not counted (-Dbench.warmups, default 2): in the first natshift round the
        // C2 compilers take about half of this JVM's CPU and of the broker's (async-profiler, 2026-11-29),
        // natshift having far more code to compile, and they still compile in the round after.
        for (int w = 1; w <= Integer.getInteger("bench.warmups", 2); w++) {
            double wb = runApp(baselineTopology(), "baseline", false).rate();
            double wn = runApp(null, "natshift", false).rate();
            System.out.printf("warm-up round %d (not counted): natshift %,.0f records/s, baseline %,.0f records/s, ratio %.2f%n", w, wn, wb, wn / wb);
        }
        for (int round = 1; round <= rounds; round++) {
            Run b = runApp(baselineTopology(), "baseline", false);
            Run n = runApp(null, "natshift", round == rounds);
            baseline.add(b.rate());
            natshift.add(n.rate());
            baselineCpu.add(b.threadCpuMicros());
            natshiftCpu.add(n.threadCpuMicros());
            natshiftAfter.add(n.rateAfterStartup());
            baselineAfter.add(b.rateAfterStartup());
            System.out.printf("round %d: natshift %,.0f records/s, baseline %,.0f records/s, ratio %.2f; stream thread CPU per record: natshift %.2f us, baseline %.2f us, baseline/natshift %.2f%n",
                    round, n.rate(), b.rate(), n.rate() / b.rate(), n.threadCpuMicros(), b.threadCpuMicros(), b.threadCpuMicros() / n.threadCpuMicros());
            System.out.printf("  start-up (to the first commit): natshift %.2f s, baseline %.2f s; after it: natshift %,.0f records/s, baseline %,.0f records/s, ratio %.2f%n",
                    n.startupSeconds(), b.startupSeconds(), n.rateAfterStartup(), b.rateAfterStartup(), n.rateAfterStartup() / b.rateAfterStartup());
            System.out.printf("  machine CPU per record (app JVM + broker JVM, each without its JIT; JIT apart): natshift %s, baseline %s%n",
                    n.machine(), b.machine());
            if (n.brokerMicros() >= 0) {
                natshiftMachine.add(n.appMicros() + n.brokerMicros());
                baselineMachine.add(b.appMicros() + b.brokerMicros());
            }
        }
        double mn = median(natshift);
        double mb = median(baseline);
        System.out.printf("median of %d rounds: natshift %,.0f records/s, baseline %,.0f records/s, ratio %.2f%n", rounds, mn, mb, mn / mb);
        System.out.printf("median after start-up: natshift %,.0f records/s, baseline %,.0f records/s, ratio %.2f%n",
                median(natshiftAfter), median(baselineAfter), median(natshiftAfter) / median(baselineAfter));
        System.out.printf("median stream thread CPU per record: natshift %.2f us, baseline %.2f us, ratio %.2f%n",
                median(natshiftCpu), median(baselineCpu), median(baselineCpu) / median(natshiftCpu));
        if (!natshiftMachine.isEmpty()) {
            System.out.printf("median machine CPU per record (app + broker, without JIT): natshift %.2f us, baseline %.2f us, ratio %.2f%n",
                    median(natshiftMachine), median(baselineMachine), median(baselineMachine) / median(natshiftMachine));
        }
    }

    /**
     * End offset of the given input topic, which must have one partition (both apps read it with one task).
     * Transaction markers of a transactional producer count too: a few per 100,000 records.
     */
    private long givenInput() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().size();
            if (partitions != 1) {
                throw new IllegalStateException("input topic " + topic + " has " + partitions + " partitions, the benchmark needs 1");
            }
            TopicPartition tp = new TopicPartition(topic, 0);
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS).get(tp).offset();
        }
    }

    private void produce(List<SyntheticSas.Packet> packets) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("message.timestamp.type", "CreateTime",
                            "message.timestamp.before.max.ms", String.valueOf(Long.MAX_VALUE),
                            "retention.ms", "-1")))).all().get(30, TimeUnit.SECONDS);
        }
        IngestValueSerde serde = io.natshift.schemas.Serdes.ingestValue();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (SyntheticSas.Packet packet : packets) {
                producer.send(new ProducerRecord<>(topic, 0, packet.timestamp(), packet.key(), serde.encode(packet.value())));
            }
            producer.flush();
        }
    }

    private double consumerRate() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long start = System.nanoTime();
            long seen = 0;
            // to the end offset, not a record count: a transactional input (natshift replay) has markers there
            while (consumer.position(tp) < records) {
                seen += consumer.poll(Duration.ofMillis(500)).count();
            }
            return seen / ((System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * One app's run: records/s (start-up included; seconds to its first commit; records/s after that),
     * and per input record in microseconds (start-up included): its stream
     * thread's CPU, this JVM's CPU without the JIT compiler threads, the JIT's, the broker's (-1: unknown).
     */
    private record Run(double rate, double startupSeconds, double rateAfterStartup, double threadCpuMicros, double appMicros,
                       double jitMicros, double brokerMicros, double brokerJitMicros) {
        String machine() {
            return brokerMicros < 0 ? String.format("%.2f us app (broker unknown), app JIT %.2f us", appMicros, jitMicros)
                    : String.format("%.2f us (app %.2f + broker %.2f), JIT app %.2f + broker %.2f us", appMicros + brokerMicros,
                            appMicros, brokerMicros, jitMicros, brokerJitMicros);
        }
    }

    /** Runs one app to the end of the input; null topology = natshift's. */
    private Run runApp(Topology topology, String name, boolean measureState) throws Exception {
        String appId = "bench-" + name + "-" + UUID.randomUUID();
        boolean baseline = topology != null;
        TopologyCounters counters = new TopologyCounters();
        // natshift settings given as -Dnatshift.*=value (an A/B of one setting in one build)
        Map<String, String> settings = new java.util.HashMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(TopologyConfig.PREFIX))
                .forEach(k -> settings.put(k, System.getProperty(k)));
        settings.put("natshift.input.topic", topic);
        settings.put("natshift.topic.prefix", appId + "-");
        TopologyConfig config = TopologyConfig.from(settings);
        if (topology == null) {
            createOutputs(config);
            topology = NatshiftTopology.build(config, counters);
        }
        Path stateDir = stateRoot.resolve(appId);
        Properties props = NatshiftTopology.streamsProperties(appId, bootstrap, counters, Map.of(
                StreamsConfig.STATE_DIR_CONFIG, stateDir.toString(),
                StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1,
                // both apps alike: Kafka Streams' exactly-once default (100 ms) unless -Dbench.commit.interval.ms is given
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.getLong("bench.commit.interval.ms", 100L),
                StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest"));
        if (baseline && !Boolean.getBoolean("bench.baseline.tuned")) {
            // the reference is Kafka Streams as it comes: natshift's RocksDB and producer settings are natshift's work
            NatshiftTopology.TUNING.keySet().forEach(props::remove);
        }
        MachineCpu.Sample cpuBefore = MachineCpu.now();
        long start = System.nanoTime();
        double rate;
        // start-up: until the first committed offset (internal topics created, tasks restored, first
        // transaction); the rate after it is what a long-running app sustains
        long firstCommit = -1;
        long firstOffset = 0;
        double startup;
        double after;
        double threadCpu;
        MachineCpu.Sample cpu;
        try (KafkaStreams streams = new KafkaStreams(topology, props);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            streams.start();
            TopicPartition tp = new TopicPartition(topic, 0);
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
                OffsetAndMetadata o = committed.get(tp);
                if (o != null && firstCommit < 0) {
                    firstCommit = System.nanoTime();
                    firstOffset = o.offset();
                }
                if (o != null && o.offset() >= records) {
                    break;
                }
                if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                    throw new IllegalStateException(name + " stopped: " + streams.state());
                }
                Thread.sleep(50);
            }
            long end = System.nanoTime();
            rate = records / ((end - start) / 1e9);
            startup = (firstCommit - start) / 1e9;
            after = (records - firstOffset) / ((end - firstCommit) / 1e9);
            cpu = MachineCpu.now().minus(cpuBefore);
            // the stream thread's own CPU: steadier on this VM than wall time, which also counts the
            // minutes the thread waits for a core shared with the broker and the JIT
            threadCpu = streamThreadCpuNanos(appId) / 1e3 / records;
            if (measureState) {
                reportState(streams, admin, appId, counters);
            }
        }
        if (measureState) {
            System.out.printf("RocksDB files of sa-state after close: %,d bytes%n", sizeOf(stateDir, "sa-state"));
        }
        deleteTree(stateDir);
        double perRecord = 1e3 * records;
        return new Run(rate, startup, after, threadCpu, (cpu.process() - Math.max(0, cpu.jit())) / perRecord, cpu.jit() / perRecord,
                cpu.broker() < 0 ? -1 : cpu.broker() / perRecord, cpu.brokerJit() < 0 ? -1 : cpu.brokerJit() / perRecord);
    }

    private static long streamThreadCpuNanos(String appId) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long nanos = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(appId) && t.getName().contains("-StreamThread-")) {
                nanos += Math.max(0, threads.getThreadCpuTime(t.getId()));
            }
        }
        return nanos;
    }

    private void createOutputs(TopologyConfig config) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(config.alertsTopic(), 1, (short) 1), new NewTopic(config.sessionsTopic(), 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            admin.createTopics(io.natshift.topology.correlation.CorrelationConfig.outputTopicsBeside(config.alertsTopic()).stream()
                    .map(t -> new NewTopic(t, 1, (short) 1)).toList()).all().get(30, TimeUnit.SECONDS);
        }
    }

    private void reportState(KafkaStreams streams, Admin admin, String appId, TopologyCounters counters) throws Exception {
        org.apache.kafka.streams.state.ReadOnlyKeyValueStore<Long, Object> store = streams.store(StoreQueryParameters.fromNameAndType(NatshiftTopology.SA_STORE,
                QueryableStoreTypes.<Long, Object>keyValueStore()));
        long live = 0;
        try (var all = store.all()) {
            while (all.hasNext()) {
                all.next();
                live++;
            }
        }
        String changelog = appId + "-" + NatshiftTopology.SA_STORE + "-changelog";
        long changelogBytes = admin.describeLogDirs(List.of(0)).allDescriptions().get().values().stream()
                .flatMap(dirs -> dirs.values().stream())
                .flatMap(d -> d.replicaInfos().entrySet().stream())
                .filter(e -> e.getKey().topic().equals(changelog))
                .mapToLong(e -> e.getValue().size()).sum();
        var end = admin.listOffsets(Map.of(new TopicPartition(changelog, 0), OffsetSpec.latest())).all().get();
        System.out.printf("natshift: %s; live SAs in sa-state %,d; changelog %,d records, %,d bytes (uncompacted) = %,d bytes per live SA%n",
                counters, live, end.values().iterator().next().offset(), changelogBytes, live == 0 ? 0 : changelogBytes / live);
        System.out.printf("natshift state entry (serialized) average: %,d bytes%n", averageEntrySize(admin, changelog));
    }

    /** Average value size of the last 10,000 changelog records: the per-SA state as stored. */
    private long averageEntrySize(Admin admin, String changelog) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(changelog, 0);
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            long end = consumer.position(tp);
            consumer.seek(tp, Math.max(0, end - 10_000));
            long bytes = 0;
            long n = 0;
            while (consumer.position(tp) < end) {
                for (var r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() != null) {
                        bytes += r.value().length;
                        n++;
                    }
                }
            }
            return n == 0 ? 0 : bytes / n;
        }
    }

    /** The reference: one persistent store, one get and one put per record, keyed by initiator SPI. */
    private Topology baselineTopology() {
        Topology t = new Topology();
        t.addSource("baseline-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), topic);
        t.addProcessor("baseline-count", CountPerKey::new, "baseline-source");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BASELINE_STORE), Serdes.Bytes(), Serdes.Long())
                .withCachingEnabled().withLoggingEnabled(Map.of()), "baseline-count");
        return t;
    }

    private static final class CountPerKey implements Processor<byte[], byte[], Void, Void> {
        private KeyValueStore<org.apache.kafka.common.utils.Bytes, Long> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(BASELINE_STORE);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            if (record.key() == null) {
                return;
            }
            var key = org.apache.kafka.common.utils.Bytes.wrap(record.key());
            Long n = store.get(key);
            store.put(key, n == null ? 1L : n + 1);
        }
    }

    private static long sizeOf(Path dir, String storeName) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().contains("/rocksdb/" + storeName + "/")).filter(Files::isRegularFile)
                    .mapToLong(f -> {
                        try {
                            return Files.size(f);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).sum();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
