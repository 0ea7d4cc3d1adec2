package io.natshift.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.SessionSummary;

/**
 * What the renderers show, computed once from an {@link AnalysisReport}: session totals, shifts in
 * detection order, pool verdicts and gateway rows. Pools come from natshift.pool-stats when that
 * topic exists; otherwise they are judged here from this capture's floats (see docs/analyze.md).
 */
public final class Findings {
    /** Evidence frames listed per shift, as in the synth ground truth. */
    public static final int MAX_EVIDENCE_FRAMES = 32;

    public record Sessions(long total, long established, long failed, Map<String, Long> byCause) {
    }

    public record Shift(NatShiftAlert alert, List<Long> evidenceFrames) {
    }

    /** One NAT pool: {@code source} says where the verdict comes from (a topic, or "capture"). */
    public record Pool(String pool, String verdict, long floats, long shifts, String explanation, String source) {
    }

    public record Gateway(String gateway, long attempts, long established, long failed, Map<String, Long> byCause,
                          long natShifts, long retransmissions, Long setupMillisMedian, Long setupMillisP95) {
    }

    private final AnalysisReport report;
    private final Sessions sessions;
    private final List<Shift> shifts;
    private final List<Pool> pools;
    private final List<Gateway> gateways;

    public Findings(AnalysisReport report) {
        this.report = report;
        this.sessions = sessions(report.sessions());
        this.shifts = shifts(report);
        this.pools = pools(report);
        this.gateways = gateways(report.sessions());
    }

    public AnalysisReport report() {
        return report;
    }

    public Sessions sessions() {
        return sessions;
    }

    public List<Shift> shifts() {
        return shifts;
    }

    public List<Pool> pools() {
        return pools;
    }

    public List<Gateway> gateways() {
        return gateways;
    }

    public long failedShifts() {
        return shifts.stream().filter(s -> "failed".equals(s.alert().getOutcome())).count();
    }

    public String diagnosis() {
        return Diagnosis.of(this);
    }

    private static Sessions sessions(List<SessionSummary> list) {
        long established = 0;
        Map<String, Long> byCause = new TreeMap<>();
        for (SessionSummary s : list) {
            if ("established".equals(s.getOutcome())) {
                established++;
            } else {
                byCause.merge(s.getCause() == null ? "unknown" : s.getCause(), 1L, Long::sum);
            }
        }
        return new Sessions(list.size(), established, list.size() - established, byCause);
    }

    private static List<Shift> shifts(AnalysisReport report) {
        List<Shift> result = new ArrayList<>();
        report.alerts().stream()
                .sorted(Comparator.comparingLong(NatShiftAlert::getDetectedAtMillis).thenComparing(NatShiftAlert::getSaId))
                .forEach(a -> result.add(new Shift(a, evidence(a, report.evidenceBySa().get(a.getSaId())))));
        return result;
    }

    /** Frames of the SA in the alert's capture, in order; just first and last when they were not read back. */
    private static List<Long> evidence(NatShiftAlert a, List<Long> frames) {
        if (frames != null && !frames.isEmpty()) {
            return frames.stream().sorted().distinct().limit(MAX_EVIDENCE_FRAMES).toList();
        }
        return a.getFirstEvidenceFrame() == a.getLastEvidenceFrame() ? List.of(a.getFirstEvidenceFrame())
                : List.of(a.getFirstEvidenceFrame(), a.getLastEvidenceFrame());
    }

    private static List<Pool> pools(AnalysisReport report) {
        List<Map<String, Object>> stats = report.topic("pool-stats");
        if (!stats.isEmpty()) {
            return poolsFromTopic(stats);
        }
        return PoolJudge.judge(report.sessions());
    }

    /** The latest record per pool of natshift.pool-stats (the running total when the topic carries one). */
    private static List<Pool> poolsFromTopic(List<Map<String, Object>> stats) {
        Map<String, Map<String, Object>> latest = new LinkedHashMap<>();
        for (Map<String, Object> r : stats) {
            String pool = text(r, "pool", "poolId", "name");
            if (pool == null) {
                continue;
            }
            Map<String, Object> previous = latest.get(pool);
            if (previous == null || isTotal(r) || !isTotal(previous)) {
                latest.put(pool, r);
            }
        }
        List<Pool> result = new ArrayList<>();
        latest.forEach((pool, r) -> result.add(new Pool(pool,
                String.valueOf(text(r, "verdict")),
                number(r, "floats", "floatsSeen"),
                number(r, "shifts"),
                text(r, "explanation", "sentence", "verdictExplanation", "reason"),
                "natshift.pool-stats")));
        return result;
    }

    private static boolean isTotal(Map<String, Object> r) {
        String w = text(r, "window", "windowKind", "windowSize");
        return w != null && w.toLowerCase(java.util.Locale.ROOT).contains("total");
    }

    private static String text(Map<String, Object> r, String... names) {
        for (String n : names) {
            Object v = r.get(n);
            if (v != null) {
                return v.toString();
            }
        }
        return null;
    }

    private static long number(Map<String, Object> r, String... names) {
        for (String n : names) {
            if (r.get(n) instanceof Number v) {
                return v.longValue();
            }
        }
        return 0;
    }

    private static List<Gateway> gateways(List<SessionSummary> list) {
        Map<String, List<SessionSummary>> byGateway = new TreeMap<>();
        for (SessionSummary s : list) {
            byGateway.computeIfAbsent(Endpoints.host(s.getResponder()), g -> new ArrayList<>()).add(s);
        }
        List<Gateway> result = new ArrayList<>();
        byGateway.forEach((gateway, sessions) -> {
            Sessions totals = sessions(sessions);
            long shifts = sessions.stream().filter(SessionSummary::getNatShift).count();
            long retransmissions = sessions.stream()
                    .mapToLong(s -> s.getInitiatorRetransmissions() + s.getResponderRetransmissions()).sum();
            long[] setup = sessions.stream().filter(s -> s.getSetupMillis() != null)
                    .mapToLong(SessionSummary::getSetupMillis).sorted().toArray();
            result.add(new Gateway(gateway, totals.total(), totals.established(), totals.failed(), totals.byCause(),
                    shifts, retransmissions, percentile(setup, 50), percentile(setup, 95)));
        });
        return result;
    }

    /** Nearest-rank percentile; null without values. */
    static Long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
