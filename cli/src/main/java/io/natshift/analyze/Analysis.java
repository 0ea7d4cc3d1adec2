package io.natshift.analyze;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

import io.natshift.capture.CaptureFiles;
import io.natshift.capture.CaptureReader;
import io.natshift.kafka.LocalKafka;
import io.natshift.publish.TopicSetup;
import io.natshift.publish.Vantage;
import io.natshift.report.AnalysisReport;
import io.natshift.schemas.Topic;
import io.natshift.schemas.Topics;
import io.natshift.topology.NatshiftTopology;
import io.natshift.topology.TopologyConfig;
import io.natshift.topology.TopologyCounters;
import io.natshift.topology.correlation.CorrelationConfig;

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
 * <li>reads the output topics, and the alerted SAs' packets from the captures again (evidence frames, ladders);</li>
 * <li>stops everything and removes what it created: temporary directories, or the topics, internal
 *     topics and consumer group on a given cluster.</li>
 * </ol>
 */
public final class Analysis {
    /** The commit loop stalls this long without progress: something is wrong with the app or broker. */
    static final long STALL_MILLIS = 120_000;

    /**
     * A batch run wants throughput, not alert latency: fewer, larger transactions and a larger
     * record cache than the streams service's defaults. --config overrides any of them.
     */
    static final Map<String, Object> BATCH_TUNING = Map.of(
            StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000,
            StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 64L << 20,
            StreamsConfig.consumerPrefix("max.poll.records"), 5000);

    /**
     * A capture is one piece of evidence looked at as a whole, not a stream watched for trends: one
     * NAT-T float that left from another public address proves the pool arbitrary (RFC 4787 REQ-2),
     * so analyze judges pools from the first float and the first shift. The streams service keeps its
     * more cautious defaults (docs/pools.md); --config overrides either. A replay at full speed also
     * lets the input partitions' tasks drift far apart in stream time, further than a live skew
     * allowance covers, so the windowed statistics accept facts up to a day late here (the windows
     * of one batch run are few, and are dropped with the run).
     */
    static final Map<String, String> ANALYZE_DEFAULTS = Map.of(
            "natshift.verdict.min.floats", "1",
            "natshift.verdict.min.shifts", "1",
            "natshift.stats.skew.ms", String.valueOf(java.time.Duration.ofDays(1).toMillis()));

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
            Map<String, String> settings = new HashMap<>(ANALYZE_DEFAULTS);
            settings.putAll(options.settings());
            settings.put("natshift.topic.prefix", prefix);
            TopologyConfig config;
            CorrelationConfig correlation;
            try {
                config = TopologyConfig.from(settings);
                correlation = CorrelationConfig.from(settings);
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
            streams = new KafkaStreams(NatshiftTopology.build(config, correlation, counters), props);
            streams.setUncaughtExceptionHandler(e -> {
                streamsFailure.compareAndSet(null, e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();
            status.phase("broker on " + bootstrap + (shared ? ", topic prefix " + prefix : "") + " ready");

            times.begin("replay");
            Replayed replayed = new CaptureReplay(options, status).run(readers, bootstrap, config);
            times.begin("processing");
            drain(admin, applicationId, config.inputTopic(), streams, streamsFailure, replayed.records());

            times.begin("report");
            // no transaction of the app may stay open while its outputs are read
            close(streams);
            streams = null;
            AnalysisReport report;
            try {
                report = OutputTopics.collect(bootstrap, config, topics, prefix, replayed, options.inputs(), options.maxLadders());
            } catch (IOException e) {
                throw new AnalysisException(AnalysisException.UNREADABLE_INPUT, "reading the captures again for evidence: " + reason(e), e);
            } catch (IllegalStateException e) {
                // an output topic that stalls or keeps a transaction open (TopicReader)
                throw new AnalysisException(AnalysisException.PIPELINE, e.getMessage(), e);
            }
            times.end();
            return new Result(report, times, counters);
        } finally {
            closeAll(readers);
            if (streams != null) {
                close(streams);
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

    private static void close(KafkaStreams streams) {
        // leave the group at once: on a shared cluster the group is deleted right after
        streams.close(org.apache.kafka.streams.CloseOptions.groupMembershipOperation(
                org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(java.time.Duration.ofSeconds(30)));
    }

    static List<CaptureReader> open(List<Input> inputs) throws AnalysisException {
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
            long firstDone = -1;
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
                if (firstDone < 0) {
                    firstDone = done;
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                status.progress(String.format(Locale.ROOT, "processing: %,d of %,d records committed, %,.0f records/s since replay ended",
                        done, total, seconds > 0 ? (done - firstDone) / seconds : 0));
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
            drainInternal(admin, applicationId, streams, failure);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AnalysisException(AnalysisException.PIPELINE, "cannot follow the application's progress: " + reason(e), e);
        }
    }

    /**
     * The input committed is not the end: the statistics run in later sub-topologies fed through the
     * app's repartition topics. Waits until the app has committed every repartition topic to its end
     * at one moment (each stage commits its outputs with its inputs, so nothing is then in flight). A
     * transaction's commit marker is the last offset of a partition and is not always covered by a
     * commit: a residue of at most one offset per partition, unchanged for a few seconds with no
     * transaction open, also counts as the end.
     */
    private void drainInternal(Admin admin, String applicationId, KafkaStreams streams, AtomicReference<Throwable> failure)
            throws AnalysisException, InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        List<String> internal = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> t.startsWith(applicationId + "-") && t.endsWith("-repartition")).sorted().toList();
        if (internal.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(internal).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, d) ->
                d.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        String lastState = "";
        long sinceChange = System.currentTimeMillis();
        while (true) {
            if (failure.get() != null) {
                throw new AnalysisException(AnalysisException.PIPELINE, "stream processing failed: " + reason(failure.get()), failure.get());
            }
            // committed offsets before the ends: a record an upstream stage writes after this read moves
            // its end past them, so "complete" cannot miss one
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> high = TopicReader.offsets(admin, latest, org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED);
            Map<TopicPartition, Long> stable = TopicReader.offsets(admin, latest, org.apache.kafka.common.IsolationLevel.READ_COMMITTED);
            boolean complete = true;
            boolean withinMarker = stable.equals(high);
            long behind = 0;
            for (Map.Entry<TopicPartition, Long> e : high.entrySet()) {
                OffsetAndMetadata o = committed.get(e.getKey());
                long c = o == null ? 0 : o.offset();
                complete &= c >= e.getValue();
                withinMarker &= c >= e.getValue() - 1;
                behind += Math.max(0, e.getValue() - c);
            }
            if (complete) {
                status.phase("statistics processed");
                return;
            }
            String state = high + " " + committed;
            if (!state.equals(lastState)) {
                lastState = state;
                sinceChange = System.currentTimeMillis();
            } else if (withinMarker && System.currentTimeMillis() - sinceChange > 3_000) {
                status.phase("statistics processed (up to transaction markers)");
                return;
            } else if (System.currentTimeMillis() - sinceChange > STALL_MILLIS) {
                throw new AnalysisException(AnalysisException.PIPELINE, "statistics stopped making progress: " + behind
                        + " repartitioned records not processed for " + STALL_MILLIS / 1000 + " s");
            }
            status.progress(String.format(Locale.ROOT, "processing: statistics, %,d repartitioned records to go", behind));
            Thread.sleep(100);
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
