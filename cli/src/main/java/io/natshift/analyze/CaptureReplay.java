package io.natshift.analyze;

import static io.natshift.analyze.Analysis.reason;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.natshift.capture.CaptureReader;
import io.natshift.capture.MergedCaptureReader;
import io.natshift.decode.FrameDecoder;
import io.natshift.publish.Probe;
import io.natshift.publish.ProducerSettings;
import io.natshift.publish.Vantage;
import io.natshift.report.AnalysisReport;
import io.natshift.schemas.Topic;
import io.natshift.schemas.Topics;
import io.natshift.schemas.avro.ProbeHeartbeat;
import io.natshift.topology.TopologyConfig;

/**
 * The replay step of {@link Analysis}: every capture, merged in capture-time order, published at full
 * speed by one {@link Probe} per file (its vantage, its heartbeats), then the end-of-input marker: a
 * ProbeHeartbeat on every partition at the last capture time + {@link TopologyConfig#drainAfter()} + 1 s.
 */
final class CaptureReplay {
    private final Analysis.Options options;
    private final Status status;

    CaptureReplay(Analysis.Options options, Status status) {
        this.options = options;
        this.status = status;
    }

    /** The probe id the records of one input file carry. */
    static String probeId(Analysis.Input in) {
        return "analyze-" + in.file().getFileName();
    }

    Replayed run(List<CaptureReader> readers, String bootstrap, TopologyConfig config)
            throws AnalysisException, InterruptedException {
        String topic = config.inputTopic();
        Topic<byte[], SpecificRecord> input = new Topic<>(topic, Topics.IKE_PACKETS.keySerde(), Topics.IKE_PACKETS.valueSerde(),
                Topics.IKE_PACKETS.config(), Topics.IKE_PACKETS.description());
        Properties producerProps = ProducerSettings.noLoss(bootstrap, "natshift-analyze");
        Map<String, Probe> probes = new LinkedHashMap<>();
        Map<String, long[]> perFile = new LinkedHashMap<>();
        List<String> problems;
        long maxMicros = Long.MIN_VALUE;
        long records;
        List<Producer<byte[], byte[]>> probeProducers = new ArrayList<>();
        try (MergedCaptureReader merged = new MergedCaptureReader(readers);
             Producer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
            // One probe, one transactional producer for all files: two producers would interleave the
            // merged captures on each partition in whatever order their batches went out.
            Producer<byte[], byte[]> probeProducer = new KafkaProducer<>(
                    ProducerSettings.transactional(bootstrap, "natshift-analyze", ProducerSettings.transactionalId("natshift-analyze", "replay")),
                    new ByteArraySerializer(), new ByteArraySerializer());
            probeProducers.add(probeProducer);
            Probe probe = new Probe(probeProducer, input, options.partitions(),
                    new Probe.Settings("natshift-analyze", Vantage.UNKNOWN, 10_000_000L), new FrameDecoder());
            probe.start();
            Map<String, String> probeIds = new LinkedHashMap<>();
            Map<String, Vantage> vantages = new LinkedHashMap<>();
            for (int i = 0; i < readers.size(); i++) {
                Analysis.Input in = options.inputs().get(i);
                String source = readers.get(i).source();
                probeIds.put(source, probeId(in));
                vantages.put(source, in.vantage());
                probes.put(source, probe);
                perFile.put(source, new long[2]);
            }
            long n = 0;
            long started = System.nanoTime();
            while (merged.next()) {
                long[] counts = perFile.get(merged.source());
                long before = probe.counters().ikePackets();
                probe.accept(merged, probeIds.get(merged.source()), vantages.get(merged.source()));
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
            probe.finish();
            // end of input: move stream time on every partition past the longest timeout
            long endMillis = Math.floorDiv(maxMicros, 1000L) + config.drainAfter().toMillis() + 1_000;
            ProbeHeartbeat end = ProbeHeartbeat.newBuilder().setProbeId("natshift-analyze").setSource("end-of-input")
                    .setVantage(Vantage.UNKNOWN.text()).setTimestampMicros(Instant.ofEpochMilli(endMillis)).build();
            byte[] endBytes = input.valueSerde().get().serializer().serialize(topic, end);
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (int p = 0; p < options.partitions(); p++) {
                sent.add(producer.send(new ProducerRecord<>(topic, p, endMillis, null, endBytes)));
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
            records = probes.values().stream().distinct().mapToLong(p -> p.counters().published() + p.counters().heartbeats()).sum() + options.partitions();
        } catch (IOException e) {
            throw new AnalysisException(AnalysisException.UNREADABLE_INPUT, reason(e), e);
        } catch (ExecutionException e) {
            throw new AnalysisException(AnalysisException.PIPELINE, "end-of-input marker not accepted: " + reason(e.getCause()), e);
        } finally {
            for (Probe p : probes.values().stream().distinct().toList()) {
                p.finish();
            }
            probeProducers.forEach(Producer::close);
        }
        long frames = 0;
        long ike = 0;
        Map<String, Long> rejected = new java.util.TreeMap<>();
        List<AnalysisReport.InputFile> files = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, long[]> e : perFile.entrySet()) {
            Analysis.Input in = options.inputs().get(i++);
            files.add(new AnalysisReport.InputFile(e.getKey(), in.vantage().text(), e.getValue()[0], e.getValue()[1]));
            frames += e.getValue()[0];
            ike += e.getValue()[1];
            if (e.getValue()[1] == 0) {
                problems = new ArrayList<>(problems);
                problems.add(e.getKey() + ": no IKE packets");
            }
        }
        for (Probe p : probes.values().stream().distinct().toList()) {
            p.counters().rejectedByReason().forEach((reason, count) -> rejected.merge(reason.name(), count, Long::sum));
        }
        status.phase(String.format(Locale.ROOT, "replayed %,d frames, %,d IKE packets", frames, ike));
        return new Replayed(records, frames, ike, rejected, problems, files);
    }
}
