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
                                  int maxLadders)
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
        Evidence evidence = evidenceOf(bootstrap, config.inputTopic(), sorted, maxLadders);
        int omitted = Math.max(0, sorted.size() - maxLadders);
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
}
