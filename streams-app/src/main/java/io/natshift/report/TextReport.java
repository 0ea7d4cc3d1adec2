package io.natshift.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The default report: plain text for a terminal or a ticket. */
public final class TextReport {
    /** Shifts listed in the table; the JSON report lists all. */
    static final int MAX_SHIFT_ROWS = 50;
    private static final int WIDTH = 100;

    private TextReport() {
    }

    public static String render(Findings f) {
        AnalysisReport r = f.report();
        StringBuilder out = new StringBuilder();
        out.append("natshift analyze: ").append(r.files().stream()
                .map(x -> x.path() + " (" + x.vantage() + ")").collect(Collectors.joining(", "))).append("\n\n");

        Findings.Sessions s = f.sessions();
        out.append("Summary\n");
        out.append(String.format("  frames           %,d%n", r.frames()));
        out.append(String.format("  IKE packets      %,d%n", r.ikePackets()));
        out.append(String.format("  IKE SAs          %,d   established %,d   failed %,d%n", s.total(), s.established(), s.failed()));
        if (!s.byCause().isEmpty()) {
            out.append("  failed by cause  ").append(counts(s.byCause())).append('\n');
        }
        out.append(String.format("  NAT-T shifts     %,d   failed %,d%n", f.shifts().size(), f.failedShifts()));
        if (!r.rejected().isEmpty()) {
            out.append("  rejected frames  ").append(counts(r.rejected())).append('\n');
        }
        for (String p : r.problems()) {
            out.append("  problem: ").append(p).append('\n');
        }

        out.append("\nNAT-T address shifts (").append(f.shifts().size()).append(")\n");
        if (f.shifts().isEmpty()) {
            out.append("  none\n");
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"initiator SPI", "responder SPI", "before -> after", "gateway", "outcome", "evidence frames"});
            f.shifts().stream().limit(MAX_SHIFT_ROWS).forEach(x -> rows.add(new String[] {
                    x.alert().getInitiatorSpi(), x.alert().getResponderSpi(),
                    x.alert().getBefore() + " -> " + x.alert().getAfter(), x.alert().getGateway(), x.alert().getOutcome(),
                    x.evidenceFrames().stream().map(String::valueOf).collect(Collectors.joining(","))}));
            table(out, rows);
            if (f.shifts().size() > MAX_SHIFT_ROWS) {
                out.append(String.format("  ... and %,d more (--format json lists every shift)%n", f.shifts().size() - MAX_SHIFT_ROWS));
            }
        }

        out.append("\nNAT pools\n");
        if (f.pools().isEmpty()) {
            out.append("  no floats to UDP 4500 seen outside a NAT: nothing to judge\n");
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"pool", "verdict", "floats", "shifts"});
            f.pools().forEach(p -> rows.add(new String[] {p.pool(), p.verdict(), String.valueOf(p.floats()), String.valueOf(p.shifts())}));
            table(out, rows);
            for (Findings.Pool p : f.pools()) {
                if (p.explanation() != null) {
                    wrap(out, "- " + p.explanation(), "    ");
                }
            }
        }

        out.append("\nGateways\n");
        if (f.gateways().isEmpty()) {
            out.append("  none\n");
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"gateway", "attempts", "established", "failed", "shifts", "retransmissions", "setup p50/p95 ms", "failed by cause"});
            f.gateways().forEach(g -> rows.add(new String[] {g.gateway(), String.valueOf(g.attempts()), String.valueOf(g.established()),
                    String.valueOf(g.failed()), String.valueOf(g.natShifts()), String.valueOf(g.retransmissions()),
                    (g.setupMillisMedian() == null ? "-" : g.setupMillisMedian() + "/" + g.setupMillisP95()), counts(g.byCause())}));
            table(out, rows);
        }

        out.append("\nDiagnosis\n");
        wrap(out, f.diagnosis(), "  ");
        return out.toString();
    }

    static String counts(Map<String, Long> counts) {
        return counts.isEmpty() ? "-" : counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static void table(StringBuilder out, List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : pad(row[i], widths[i] + 2));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static void wrap(StringBuilder out, String text, String indent) {
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.split(" ")) {
            if (line.length() + word.length() + 1 > WIDTH && line.length() > indent.length()) {
                out.append(line.toString().stripTrailing()).append('\n');
                line = new StringBuilder(indent);
            }
            line.append(word).append(' ');
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }
}
