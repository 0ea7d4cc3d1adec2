package io.natshift.analyze;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.natshift.capture.CaptureFiles;
import io.natshift.capture.CaptureReader;
import io.natshift.capture.MergedCaptureReader;
import io.natshift.decode.FrameDecoder;
import io.natshift.kafka.LocalKafka;
import io.natshift.publish.Probe;
import io.natshift.publish.ProducerSettings;
import io.natshift.publish.TopicSetup;
import io.natshift.publish.Vantage;
import io.natshift.report.AnalysisReport;
import io.natshift.schemas.JsonRecords;
import io.natshift.schemas.Serdes;
import io.natshift.schemas.Topic;
import io.natshift.schemas.Topics;
import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.ProbeHeartbeat;
import io.natshift.schemas.avro.SessionSummary;
import io.natshift.topology.NatshiftTopology;
import io.natshift.topology.TopologyConfig;
import io.natshift.topology.TopologyCounters;

/**
 * {@code natshift analyze}: captures in, an {@link AnalysisReport} out, through the same topology the
 * streams app runs, on a real broker (an embedded one by default, or a given cluster under a unique
 * application id and topic prefix). The run:
 * <ol>
 * <li>opens every capture (an unreadable one stops the run before anything starts);</li>
 * <li>starts the broker, creates the topics, starts Kafka Streams on {@link NatshiftTopology};</li>
 * <li>replays the captures at full speed, merged in capture-time order, one probe per file with its vantage;</li>
 * <li>sends an end-of-input heartbeat to every partition at last capture time + {@link TopologyConfig#drainAfter()},
 *     which moves stream time past every timeout, and waits until the application's committed offsets
 *     reach the end of the input topic (exactly-once: outputs commit with those offsets);</li>
 * <li>reads the output topics (and the packets of alerted SAs back from the input, for ladders);</li>
 * <li>stops everything and removes what it created: temporary directories, or the topics, internal
 *     topics and consumer group on a given cluster.</li>
 * </ol>
 */
public final class Analysis {
    /** The commit loop stalls this long without progress: something is wrong with the app or broker. */
    static final long STALL_MILLIS = 120_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A batch run wants throughput, not alert latency: fewer, larger transactions and a larger
     * record cache than the streams service's defaults. --config overrides any of them.
     */
    static final Map<String, Object> BATCH_TUNING = Map.of(
            StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000,
            StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 64L << 20,
            StreamsConfig.consumerPrefix("max.poll.records"), 5000);

    public record Input(Path file, Vantage vantage) {
    }

    /**
     * @param bootstrap   an existing cluster, or null for the embedded broker
     * @param tempParent  where temporary directories go (broker data, Streams state)
     * @param partitions  partitions of the input topic (tasks of the topology)
     * @param threads     Kafka Streams threads
     * @param maxLadders  alerted SAs whose packets are read back (ladders, evidence frames); 0 = none
     * @param settings    natshift.* and Kafka Streams settings (see docs/topology.md)
     */
    public record Options(List<Input> inputs, String bootstrap, Path tempParent, int partitions, int threads, int maxLadders,
                          Map<String, String> settings) {
    }

    public record Result(AnalysisReport report, PhaseTimes times, TopologyCounters counters) {
    }

    private final Options options;
    private final Status status;
    private final PhaseTimes times = new PhaseTimes();

    public Analysis(Options options, Status status) {
        this.options = options;
        this.status = status;
    }

    public Result run() throws AnalysisException, InterruptedException {
        List<CaptureReader> readers = open(options.inputs());
        Path work;
        try {
            work = Files.createTempDirectory(options.tempParent(), "natshift-analyze-");
        } catch (IOException | RuntimeException e) {
            closeAll(readers);
            throw new AnalysisException(AnalysisException.BROKER, "cannot create a temporary directory in " + options.tempParent()
                    + ": " + reason(e), e);
        }
        LocalKafka kafka = null;
        String bootstrap = options.bootstrap();
        String run = UUID.randomUUID().toString().substring(0, 8);
        boolean shared = bootstrap != null;
        String prefix = shared ? "natshift-analyze-" + run + "." : "";
        String applicationId = shared ? "natshift-analyze-" + run : "natshift-analyze";
        KafkaStreams streams = null;
        Admin admin = null;
        try {
            times.begin("broker");
            if (!shared) {
                status.phase("starting the local Kafka broker");
                try {
                    kafka = LocalKafka.start(Map.of("log.dirs", work.resolve("kafka").toString()));
                } catch (RuntimeException e) {
                    throw new AnalysisException(AnalysisException.BROKER, "the local Kafka broker cannot start: " + reason(e), e);
                }
                bootstrap = kafka.bootstrapServers();
            }
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
            List<Topic<?, ?>> topics = Topics.all().stream().<Topic<?, ?>>map(t -> t.withPrefix(prefix)).toList();
            try {
                TopicSetup.create(admin, topics, options.partitions(), Optional.empty());
            } catch (ExecutionException e) {
                throw new AnalysisException(AnalysisException.BROKER, "cannot create topics on " + bootstrap + ": " + reason(e.getCause()), e);
            }
            Map<String, String> settings = new HashMap<>(options.settings());
            settings.put("natshift.topic.prefix", prefix);
            TopologyConfig config;
            try {
                config = TopologyConfig.from(settings);
            } catch (IllegalArgumentException e) {
                throw new AnalysisException(AnalysisException.UNREADABLE_INPUT, e.getMessage(), e);
            }
            TopologyCounters counters = new TopologyCounters();
            Map<String, Object> streamsSettings = new HashMap<>(BATCH_TUNING);
            streamsSettings.putAll(settings);
            streamsSettings.put(StreamsConfig.STATE_DIR_CONFIG, work.resolve("streams").toString());
            streamsSettings.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, options.threads());
            Properties props = NatshiftTopology.streamsProperties(applicationId, bootstrap, counters, streamsSettings);
            AtomicReference<Throwable> streamsFailure = new AtomicReference<>();
            streams = new KafkaStreams(NatshiftTopology.build(config, counters), props);
            streams.setUncaughtExceptionHandler(e -> {
                streamsFailure.compareAndSet(null, e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();
            status.phase("broker on " + bootstrap + (shared ? ", topic prefix " + prefix : "") + " ready");

            times.begin("replay");
            Replayed replayed = replay(readers, bootstrap, config);
            times.begin("processing");
            drain(admin, applicationId, config.inputTopic(), streams, streamsFailure, replayed.records());

            times.begin("report");
            AnalysisReport report = collect(bootstrap, config, topics, prefix, replayed);
            times.end();
            return new Result(report, times, counters);
        } finally {
            closeAll(readers);
            if (streams != null) {
                // leave the group at once: on a shared cluster the group is deleted right after
                streams.close(org.apache.kafka.streams.CloseOptions.groupMembershipOperation(
                        org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(java.time.Duration.ofSeconds(30)));
            }
            if (shared && admin != null) {
                cleanUpCluster(admin, prefix, applicationId);
            }
            if (admin != null) {
                admin.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            deleteRecursively(work);
        }
    }

    private static List<CaptureReader> open(List<Input> inputs) throws AnalysisException {
        List<CaptureReader> readers = new ArrayList<>();
        for (Input in : inputs) {
            try {
                readers.add(CaptureFiles.open(in.file()));
            } catch (NoSuchFileException e) {
                closeAll(readers);
                throw new AnalysisException(AnalysisException.UNREADABLE_INPUT, in.file() + ": no such file", e);
            } catch (AccessDeniedException e) {
                closeAll(readers);
                throw new AnalysisException(AnalysisException.UNREADABLE_INPUT, in.file() + ": permission denied", e);
            } catch (IOException e) {
                closeAll(readers);
                String m = reason(e);
                throw new AnalysisException(AnalysisException.UNREADABLE_INPUT,
                        m.startsWith(in.file().toString()) ? m : in.file() + ": not a readable capture: " + m, e);
            }
        }
        return readers;
    }

    private record Replayed(long records, long frames, long ikePackets, Map<String, Long> rejected, List<String> problems,
                            List<AnalysisReport.InputFile> files) {
    }

    private Replayed replay(List<CaptureReader> readers, String bootstrap, TopologyConfig config)
            throws AnalysisException, InterruptedException {
        String topic = config.inputTopic();
        Topic<byte[], SpecificRecord> input = Topics.IKE_PACKETS;
        Properties producerProps = ProducerSettings.noLoss(bootstrap, "natshift-analyze");
        Map<String, Probe> probes = new LinkedHashMap<>();
        Map<String, long[]> perFile = new LinkedHashMap<>();
        List<String> problems;
        long maxMicros = Long.MIN_VALUE;
        long records;
        try (MergedCaptureReader merged = new MergedCaptureReader(readers);
             Producer<byte[], SpecificRecord> producer = new KafkaProducer<>(producerProps, input.keySerde().get().serializer(),
                     input.valueSerde().get().serializer())) {
            for (int i = 0; i < readers.size(); i++) {
                Input in = options.inputs().get(i);
                String source = readers.get(i).source();
                probes.put(source, new Probe(producer, topic, options.partitions(),
                        new Probe.Settings("analyze-" + in.file().getFileName(), in.vantage(), 10_000_000L), new FrameDecoder()));
                perFile.put(source, new long[2]);
            }
            long n = 0;
            long started = System.nanoTime();
            while (merged.next()) {
                Probe probe = probes.get(merged.source());
                long[] counts = perFile.get(merged.source());
                long before = probe.counters().ikePackets();
                probe.accept(merged);
                counts[0]++;
                if (probe.counters().ikePackets() != before) {
                    counts[1]++;
                    maxMicros = Math.max(maxMicros, merged.timestampMicros());
                }
                if ((++n & 0xFFFF) == 0) {
                    double s = (System.nanoTime() - started) / 1e9;
                    status.progress(String.format(Locale.ROOT, "replay: %,d frames, %,.0f frames/s", n, n / s));
                    for (Probe p : probes.values()) {
                        if (p.failure() != null) {
                            throw new AnalysisException(AnalysisException.PIPELINE, "send to " + topic + " failed: " + reason(p.failure()));
                        }
                    }
                    if (Thread.interrupted()) {
                        throw new InterruptedException("replay interrupted");
                    }
                }
            }
            problems = merged.damaged();
            long ike = perFile.values().stream().mapToLong(c -> c[1]).sum();
            if (ike == 0) {
                String files = String.join(", ", perFile.keySet());
                long frames = perFile.values().stream().mapToLong(c -> c[0]).sum();
                throw new AnalysisException(AnalysisException.NO_IKE, files + ": no IKE packets (UDP 500/4500 ISAKMP) among "
                        + frames + " frames" + (problems.isEmpty() ? "" : "; " + String.join("; ", problems)));
            }
            probes.values().forEach(Probe::flush);
            // end of input: move stream time on every partition past the longest timeout
            long endMillis = Math.floorDiv(maxMicros, 1000L) + config.drainAfter().toMillis() + 1_000;
            ProbeHeartbeat end = ProbeHeartbeat.newBuilder().setProbeId("natshift-analyze").setSource("end-of-input")
                    .setVantage(Vantage.UNKNOWN.text()).setTimestampMicros(Instant.ofEpochMilli(endMillis)).build();
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (int p = 0; p < options.partitions(); p++) {
                sent.add(producer.send(new ProducerRecord<>(topic, p, endMillis, null, end)));
            }
            producer.flush();
            for (var f : sent) {
                f.get();
            }
            for (Probe p : probes.values()) {
                if (p.failure() != null) {
                    throw new AnalysisException(AnalysisException.PIPELINE, "send to " + topic + " failed: " + reason(p.failure()));
                }
            }
            records = probes.values().stream().mapToLong(p -> p.counters().published() + p.counters().heartbeats()).sum() + options.partitions();
        } catch (IOException e) {
            throw new AnalysisException(AnalysisException.UNREADABLE_INPUT, reason(e), e);
        } catch (ExecutionException e) {
            throw new AnalysisException(AnalysisException.PIPELINE, "end-of-input marker not accepted: " + reason(e.getCause()), e);
        }
        long frames = 0;
        long ike = 0;
        Map<String, Long> rejected = new java.util.TreeMap<>();
        List<AnalysisReport.InputFile> files = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, long[]> e : perFile.entrySet()) {
            Input in = options.inputs().get(i++);
            files.add(new AnalysisReport.InputFile(e.getKey(), in.vantage().text(), e.getValue()[0], e.getValue()[1]));
            frames += e.getValue()[0];
            ike += e.getValue()[1];
            if (e.getValue()[1] == 0) {
                problems = new ArrayList<>(problems);
                problems.add(e.getKey() + ": no IKE packets");
            }
        }
        for (Probe p : probes.values()) {
            p.counters().rejectedByReason().forEach((reason, count) -> rejected.merge(reason.name(), count, Long::sum));
        }
        status.phase(String.format(Locale.ROOT, "replayed %,d frames, %,d IKE packets", frames, ike));
        return new Replayed(records, frames, ike, rejected, problems, files);
    }

    /** Waits until the application has committed every input record (outputs commit with them under exactly-once). */
    private void drain(Admin admin, String applicationId, String topic, KafkaStreams streams, AtomicReference<Throwable> failure,
                       long records) throws AnalysisException, InterruptedException {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < options.partitions(); p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
            long total = end.values().stream().mapToLong(Long::longValue).sum();
            long lastDone = -1;
            long lastProgress = System.currentTimeMillis();
            long started = System.nanoTime();
            while (true) {
                if (failure.get() != null) {
                    throw new AnalysisException(AnalysisException.PIPELINE, "stream processing failed: " + reason(failure.get()), failure.get());
                }
                KafkaStreams.State state = streams.state();
                if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                    throw new AnalysisException(AnalysisException.PIPELINE, "stream processing stopped (" + state + ")");
                }
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                long done = 0;
                boolean complete = true;
                for (TopicPartition tp : partitions) {
                    OffsetAndMetadata o = committed.get(tp);
                    long c = o == null ? 0 : o.offset();
                    done += Math.min(c, end.get(tp));
                    complete &= c >= end.get(tp);
                }
                double s = (System.nanoTime() - started) / 1e9;
                status.progress(String.format(Locale.ROOT, "processing: %,d of %,d records committed", done, total));
                if (complete) {
                    break;
                }
                if (done != lastDone) {
                    lastDone = done;
                    lastProgress = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - lastProgress > STALL_MILLIS) {
                    throw new AnalysisException(AnalysisException.PIPELINE, "stream processing made no progress for "
                            + STALL_MILLIS / 1000 + " s (" + done + " of " + total + " records)");
                }
                Thread.sleep(100);
            }
            status.phase(String.format(Locale.ROOT, "processed %,d records", total));
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AnalysisException(AnalysisException.PIPELINE, "cannot follow the application's progress: " + reason(e), e);
        }
    }

    private AnalysisReport collect(String bootstrap, TopologyConfig config, List<Topic<?, ?>> topics, String prefix, Replayed replayed)
            throws InterruptedException {
        var alertSerde = Serdes.natShiftAlert();
        Map<String, NatShiftAlert> alerts = new LinkedHashMap<>();
        TopicReader.readAll(bootstrap, config.alertsTopic(), (k, v) -> {
            String key = new String(k, java.nio.charset.StandardCharsets.UTF_8);
            if (v == null) {
                alerts.remove(key);
            } else {
                alerts.put(key, alertSerde.decode(v));
            }
        });
        var sessionSerde = Serdes.sessionSummary();
        List<SessionSummary> sessions = new ArrayList<>();
        TopicReader.readAll(bootstrap, config.sessionsTopic(), (k, v) -> {
            if (v != null) {
                sessions.add(sessionSerde.decode(v));
            }
        });
        Set<String> known = Set.of(config.inputTopic(), config.alertsTopic(), config.sessionsTopic());
        Map<String, List<Map<String, Object>>> extra = new LinkedHashMap<>();
        for (Topic<?, ?> t : topics) {
            if (known.contains(t.name())) {
                continue;
            }
            List<Map<String, Object>> records = new ArrayList<>();
            var deserializer = t.valueSerde().get().deserializer();
            TopicReader.readAll(bootstrap, t.name(), (k, v) -> {
                if (v != null) {
                    records.add(asMap(deserializer.deserialize(t.name(), v)));
                }
            });
            extra.put(t.name().substring(prefix.length()), records);
        }
        List<NatShiftAlert> sorted = alerts.values().stream()
                .sorted(Comparator.comparingLong(NatShiftAlert::getDetectedAtMillis).thenComparing(NatShiftAlert::getSaId)).toList();
        Evidence evidence = evidenceOf(bootstrap, config.inputTopic(), sorted, options.maxLadders());
        int omitted = Math.max(0, sorted.size() - options.maxLadders());
        return new AnalysisReport(replayed.files(), replayed.frames(), replayed.ikePackets(), replayed.rejected(), replayed.problems(),
                sorted, sessions, extra, evidence.packets(), evidence.frames(), omitted);
    }

    /** Packets at most per alerted SA in its ladder; the rest of a longer SA is left out. */
    static final int MAX_PACKETS_PER_LADDER = 400;

    private record Evidence(Map<String, List<IkePacket>> packets, Map<String, List<Long>> frames) {
    }

    /**
     * Reads the input topic back once: for every alert its evidence frames (the SA's frames in the alert's
     * capture from the first to the last evidence frame, at most {@link io.natshift.report.Findings#MAX_EVIDENCE_FRAMES}),
     * and for the first {@code ladders} alerts their packets (ladders).
     */
    private static Evidence evidenceOf(String bootstrap, String inputTopic, List<NatShiftAlert> alerts, int ladders)
            throws InterruptedException {
        Map<String, List<IkePacket>> packets = new LinkedHashMap<>();
        Map<String, List<Long>> frames = new HashMap<>();
        if (alerts.isEmpty()) {
            return new Evidence(packets, frames);
        }
        Map<String, List<NatShiftAlert>> byInitiator = new HashMap<>();
        Set<String> withLadder = new HashSet<>();
        for (NatShiftAlert a : alerts) {
            byInitiator.computeIfAbsent(a.getInitiatorSpi(), s -> new ArrayList<>()).add(a);
            if (withLadder.size() < ladders) {
                withLadder.add(a.getSaId());
            }
        }
        var serde = Serdes.ingestValue();
        java.util.HexFormat hex = java.util.HexFormat.of();
        TopicReader.readAll(bootstrap, inputTopic, (k, v) -> {
            if (k == null || v == null) {
                return;
            }
            List<NatShiftAlert> matching = byInitiator.get(hex.formatHex(k));
            if (matching == null || !(serde.decode(v) instanceof IkePacket p)) {
                return;
            }
            String responder = hex.formatHex(p.getResponderSpi().bytes());
            for (NatShiftAlert a : matching) {
                if (!(responder.equals(a.getResponderSpi()) || responder.equals("0000000000000000") || matching.size() == 1)) {
                    continue;
                }
                if (p.getSource().equals(a.getFirstEvidenceSource()) && p.getFrame() >= a.getFirstEvidenceFrame()
                        && p.getFrame() <= a.getLastEvidenceFrame()) {
                    List<Long> list = frames.computeIfAbsent(a.getSaId(), s -> new ArrayList<>());
                    if (list.size() < io.natshift.report.Findings.MAX_EVIDENCE_FRAMES) {
                        list.add(p.getFrame());
                    }
                }
                if (withLadder.contains(a.getSaId())) {
                    List<IkePacket> list = packets.computeIfAbsent(a.getSaId(), s -> new ArrayList<>());
                    if (list.size() < MAX_PACKETS_PER_LADDER) {
                        list.add(p);
                    }
                }
                break;
            }
        });
        return new Evidence(packets, frames);
    }

    private static Map<String, Object> asMap(Object value) {
        try {
            String json = value instanceof IndexedRecord r ? JsonRecords.toJson(r)
                    : value instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(value);
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (IOException e) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("value", String.valueOf(value));
            return m;
        }
    }

    /** Deletes this run's topics, the app's internal topics and its consumer group from a shared cluster. */
    private void cleanUpCluster(Admin admin, String prefix, String applicationId) {
        try {
            Set<String> mine = new HashSet<>();
            for (String name : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
                if (name.startsWith(prefix) || name.startsWith(applicationId + "-")) {
                    mine.add(name);
                }
            }
            admin.deleteTopics(mine).all().get(30, TimeUnit.SECONDS);
            admin.deleteConsumerGroups(List.of(applicationId)).all().get(30, TimeUnit.SECONDS);
            status.phase("removed " + mine.size() + " topics and consumer group " + applicationId);
        } catch (Exception e) {
            status.phase("could not remove everything of " + applicationId + " (" + prefix + "*): " + reason(e));
        }
    }

    private static void closeAll(List<CaptureReader> readers) {
        for (CaptureReader r : readers) {
            try {
                r.close();
            } catch (IOException e) {
                // closing a read-only file: nothing to recover
            }
        }
    }

    static String reason(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t.getMessage() == null) && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: report nothing, the OS cleans tmp
                }
            });
        } catch (IOException e) {
            // same
        }
    }
}
