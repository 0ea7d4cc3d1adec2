package io.natshift.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.natshift.schemas.avro.SessionSummary;

class FindingsTest {
    private static AnalysisReport report(List<SessionSummary> sessions, Map<String, List<Map<String, Object>>> topics) {
        return new AnalysisReport(List.of(new AnalysisReport.InputFile("x.pcap", "outside", 10, 10)), 10, 10, Map.of(), List.of(),
                List.of(), sessions, topics, Map.of(), Map.of(), 0);
    }

    private static List<SessionSummary> floats(int n, int shifted) {
        List<SessionSummary> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean shift = i < shifted;
            list.add(Records.session(String.format("%016x-%016x", i + 1, i + 100), shift ? "failed" : "established",
                    shift ? "nat-shift" : null, "203.0.113." + (i % 200) + ":500", "203.0.113." + (shift ? 250 : i % 200) + ":4500", shift));
        }
        return list;
    }

    @Test
    void shouldJudgeAPoolArbitraryOnItsFirstShift() {
        List<Findings.Pool> pools = new Findings(report(floats(1, 1), Map.of())).pools();

        assertThat(pools).extracting(Findings.Pool::pool, Findings.Pool::verdict, Findings.Pool::floats, Findings.Pool::shifts)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("203.0.113.0/24", "arbitrary", 1L, 1L));
        assertThat(pools.get(0).explanation()).contains("RFC 4787 REQ-2").contains("1 of 1");
    }

    @Test
    void shouldJudgeAPoolPairedOnlyFromFiveFloatsWithoutShift() {
        assertThat(new Findings(report(floats(PoolJudge.PAIRED_MIN_FLOATS, 0), Map.of())).pools().get(0).verdict()).isEqualTo("paired");
        assertThat(new Findings(report(floats(PoolJudge.PAIRED_MIN_FLOATS - 1, 0), Map.of())).pools().get(0).verdict())
                .isEqualTo("insufficient-data");
    }

    @Test
    void shouldTakeVerdictsFromPoolStatsWhenTheTopologyWritesThem() {
        Map<String, Object> minute = Map.of("pool", "auto:203.0.113.0/28", "window", "1m", "floats", 3, "shifts", 0,
                "verdict", "insufficient-data", "explanation", "too few");
        Map<String, Object> total = Map.of("pool", "auto:203.0.113.0/28", "window", "total", "floats", 40, "shifts", 12,
                "verdict", "arbitrary", "explanation", "Pool auto:203.0.113.0/28 shifts 12 of 40 floats.");
        Findings f = new Findings(report(floats(1, 1), Map.of("natshift.pool-stats", List.of(total, minute))));

        assertThat(f.pools()).containsExactly(new Findings.Pool("auto:203.0.113.0/28", "arbitrary", 40, 12,
                "Pool auto:203.0.113.0/28 shifts 12 of 40 floats.", "natshift.pool-stats"));
    }

    @Test
    void shouldAdviseOpeningUdp4500WhenFloatsGoUnansweredWithoutShift() {
        SessionSummary blocked = Records.session("00000000000000aa-00000000000000bb", "failed", "no-response-after-float",
                "203.0.113.5:500", "203.0.113.5:4500", false);

        String diagnosis = new Findings(report(List.of(blocked), Map.of())).diagnosis();

        assertThat(diagnosis).startsWith("No NAT-T address shift. 1 of 1 IKE SA attempts failed; most often: no-response-after-float (1).")
                .contains("UDP 4500 is blocked");
    }

    @Test
    void shouldKeepTheDocumentedJsonKeys() {
        Map<String, Object> tree = JsonReport.tree(new Findings(report(floats(2, 1), Map.of())));

        assertThat(tree.keySet()).containsExactly("format", "files", "frames", "ikePackets", "rejectedFrames", "problems", "sessions",
                "natShifts", "pools", "gateways", "diagnosis", "topics");
        assertThat(List.copyOf(((Map<?, ?>) tree.get("sessions")).keySet())).isEqualTo(List.of("total", "established", "failed", "byCause"));
        assertThat(((Map<?, ?>) tree.get("sessions")).get("byCause")).isEqualTo(Map.of("nat-shift", 1L));
    }
}
