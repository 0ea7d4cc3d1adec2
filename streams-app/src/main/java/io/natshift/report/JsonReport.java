package io.natshift.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.natshift.schemas.avro.NatShiftAlert;

/**
 * {@code --format json}: one object with the stable keys documented in docs/analyze.md. Keys are only
 * ever added; scripts may rely on the ones there.
 */
public final class JsonReport {
    public static final String FORMAT = "natshift-analyze/1";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    public static String render(Findings f) {
        try {
            return MAPPER.writeValueAsString(tree(f)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("report not serialisable: " + e.getMessage(), e);
        }
    }

    static Map<String, Object> tree(Findings f) {
        AnalysisReport r = f.report();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        List<Map<String, Object>> files = new ArrayList<>();
        for (AnalysisReport.InputFile file : r.files()) {
            files.add(ordered("path", file.path(), "vantage", file.vantage(), "frames", file.frames(), "ikePackets", file.ikePackets()));
        }
        root.put("files", files);
        root.put("frames", r.frames());
        root.put("ikePackets", r.ikePackets());
        root.put("rejectedFrames", r.rejected());
        root.put("problems", r.problems());
        Findings.Sessions s = f.sessions();
        root.put("sessions", ordered("total", s.total(), "established", s.established(), "failed", s.failed(), "byCause", s.byCause()));
        List<Map<String, Object>> shifts = new ArrayList<>();
        for (Findings.Shift x : f.shifts()) {
            NatShiftAlert a = x.alert();
            Map<String, Object> m = ordered("saId", a.getSaId(), "initiatorSpi", a.getInitiatorSpi(), "responderSpi", a.getResponderSpi(),
                    "before", a.getBefore(), "after", a.getAfter(), "gateway", a.getGateway(), "outcome", a.getOutcome(),
                    "severity", a.getSeverity());
            m.put("ikeVersion", a.getIkeVersion());
            m.put("exchange", a.getExchange());
            m.put("probeId", a.getProbeId());
            m.put("vantage", a.getVantage());
            m.put("detectedAt", Instant.ofEpochMilli(a.getDetectedAtMillis()).toString());
            m.put("evidenceSource", a.getFirstEvidenceSource());
            m.put("evidenceFrames", x.evidenceFrames());
            m.put("responderPacketsToBefore", a.getResponderPacketsToBefore());
            m.put("responderPacketsToAfter", a.getResponderPacketsToAfter());
            shifts.add(m);
        }
        root.put("natShifts", shifts);
        List<Map<String, Object>> pools = new ArrayList<>();
        for (Findings.Pool p : f.pools()) {
            pools.add(ordered("pool", p.pool(), "verdict", p.verdict(), "floats", p.floats(), "shifts", p.shifts(),
                    "explanation", p.explanation(), "source", p.source()));
        }
        root.put("pools", pools);
        List<Map<String, Object>> gateways = new ArrayList<>();
        for (Findings.Gateway g : f.gateways()) {
            Map<String, Object> m = ordered("gateway", g.gateway(), "attempts", g.attempts(), "established", g.established(),
                    "failed", g.failed(), "byCause", g.byCause(), "natShifts", g.natShifts());
            m.put("retransmissions", g.retransmissions());
            m.put("setupMillisMedian", g.setupMillisMedian());
            m.put("setupMillisP95", g.setupMillisP95());
            gateways.add(m);
        }
        root.put("gateways", gateways);
        root.put("diagnosis", f.diagnosis());
        root.put("topics", r.extraTopics());
        return root;
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
