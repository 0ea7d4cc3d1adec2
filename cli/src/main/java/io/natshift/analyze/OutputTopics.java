package io.natshift.analyze;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import org.apache.avro.generic.IndexedRecord;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.natshift.report.AnalysisReport;
import io.natshift.schemas.JsonRecords;
import io.natshift.schemas.Serdes;
import io.natshift.schemas.Topic;
import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.SessionSummary;
import io.natshift.topology.TopologyConfig;

/**
 * The reading step of {@link Analysis}: the output topics (alerts compacted to their latest state,
 * sessions, and whatever further output topics the topology declares), and the alerted SAs' packets
 * read back from the input topic for evidence frames and ladders.
 */
final class OutputTopics {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OutputTopics() {
    }

    static AnalysisReport collect(String bootstrap, TopologyConfig config, List<Topic<?, ?>> topics, String prefix, Replayed replayed,
                                  List<Analysis.Input> inputs, int maxLadders)
            throws InterruptedException, IOException, AnalysisException {
        var alertSerde = Serdes.natShiftAlert();
        var sessionSerde = Serdes.sessionSummary();
        Map<String, NatShiftAlert> alerts = new LinkedHashMap<>();
        List<SessionSummary> sessions = new ArrayList<>();
        Map<String, BiConsumer<byte[], byte[]>> sinks = new LinkedHashMap<>();
        sinks.put(config.alertsTopic(), (k, v) -> {
            String key = new String(k, java.nio.charset.StandardCharsets.UTF_8);
            if (v == null) {
                alerts.remove(key);
            } else {
                alerts.put(key, alertSerde.decode(v));
            }
        });
        sinks.put(config.sessionsTopic(), (k, v) -> {
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
            sinks.put(t.name(), (k, v) -> {
                if (v != null) {
                    records.add(asMap(deserializer.deserialize(t.name(), v)));
                }
            });
            extra.put(t.name().substring(prefix.length()), records);
        }
        TopicReader.readAll(bootstrap, sinks);
        List<NatShiftAlert> sorted = alerts.values().stream()
                .sorted(Comparator.comparingLong(NatShiftAlert::getDetectedAtMillis).thenComparing(NatShiftAlert::getSaId)).toList();
        Evidence evidence = evidenceOf(inputs, sorted, maxLadders);
        int omitted = Math.max(0, sorted.size() - maxLadders);
        return new AnalysisReport(replayed.files(), replayed.frames(), replayed.ikePackets(), replayed.rejected(), replayed.problems(),
                sorted, sessions, extra, evidence.packets(), evidence.frames(), omitted);
    }

    /** Packets at most per alerted SA in its ladder; the rest of a longer SA is left out. */
    static final int MAX_PACKETS_PER_LADDER = 400;

    private record Evidence(Map<String, List<IkePacket>> packets, Map<String, List<Long>> frames) {
    }

    /**
     * Reads the captures again (not the input topic: decoding the frames is several times cheaper than
     * fetching and decoding every record back, and only the alerted SAs' packets become records): for
     * every alert its evidence frames (the SA's frames in the alert's capture from the first to the last
     * evidence frame, at most {@link io.natshift.report.Findings#MAX_EVIDENCE_FRAMES}), and for the first
     * {@code ladders} alerts their packets (ladders), as the replay published them.
     */
    private static Evidence evidenceOf(List<Analysis.Input> inputs, List<NatShiftAlert> alerts, int ladders)
            throws IOException, AnalysisException {
        Map<String, List<IkePacket>> packets = new LinkedHashMap<>();
        Map<String, List<Long>> frames = new HashMap<>();
        if (alerts.isEmpty()) {
            return new Evidence(packets, frames);
        }
        java.util.HexFormat hex = java.util.HexFormat.of();
        Map<Long, List<NatShiftAlert>> byInitiator = new HashMap<>();
        Set<String> withLadder = new HashSet<>();
        for (NatShiftAlert a : alerts) {
            byInitiator.computeIfAbsent(java.lang.Long.parseUnsignedLong(a.getInitiatorSpi(), 16), s -> new ArrayList<>()).add(a);
            if (withLadder.size() < ladders) {
                withLadder.add(a.getSaId());
            }
        }
        // the same opening (and the same one-line errors) as the replay's
        List<io.natshift.capture.CaptureReader> readers = Analysis.open(inputs);
        Map<String, Analysis.Input> bySource = new HashMap<>();
        for (int i = 0; i < readers.size(); i++) {
            bySource.put(readers.get(i).source(), inputs.get(i));
        }
        io.natshift.decode.FrameDecoder decoder = new io.natshift.decode.FrameDecoder();
        try (io.natshift.capture.MergedCaptureReader merged = new io.natshift.capture.MergedCaptureReader(readers)) {
            while (merged.next()) {
                if (!(decoder.decode(merged.buffer(), merged.offset(), merged.length(), merged.linkType())
                        instanceof io.natshift.decode.IkeMessage m)) {
                    continue;
                }
                List<NatShiftAlert> matching = byInitiator.get(m.initiatorSpi());
                if (matching == null) {
                    continue;
                }
                String responder = hex.toHexDigits(m.responderSpi());
                String source = merged.source();
                long frame = merged.frameNumber();
                for (NatShiftAlert a : matching) {
                    if (!(responder.equals(a.getResponderSpi()) || m.responderSpi() == 0 || matching.size() == 1)) {
                        continue;
                    }
                    if (source.equals(a.getFirstEvidenceSource()) && frame >= a.getFirstEvidenceFrame() && frame <= a.getLastEvidenceFrame()) {
                        List<Long> list = frames.computeIfAbsent(a.getSaId(), s -> new ArrayList<>());
                        if (list.size() < io.natshift.report.Findings.MAX_EVIDENCE_FRAMES) {
                            list.add(frame);
                        }
                    }
                    if (withLadder.contains(a.getSaId())) {
                        List<IkePacket> list = packets.computeIfAbsent(a.getSaId(), s -> new ArrayList<>());
                        if (list.size() < MAX_PACKETS_PER_LADDER) {
                            Analysis.Input in = bySource.get(source);
                            IkePacket p = io.natshift.publish.IkeRecords.toAvro(m, CaptureReplay.probeId(in), source, frame,
                                    merged.timestampMicros());
                            p.setVantage(in.vantage().text());
                            list.add(p);
                        }
                    }
                    break;
                }
            }
        }
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
}
