package io.natshift.report;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.SessionSummary;

/** Inline SVG chart: IKE SA attempts, failures and NAT-T shifts per time bucket (capture time). */
final class Timeline {
    static final int BUCKETS = 60;
    private static final int WIDTH = 960;
    private static final int HEIGHT = 240;
    private static final int LEFT = 50;
    private static final int BOTTOM = 200;
    private static final int TOP = 30;

    private Timeline() {
    }

    static String svg(List<SessionSummary> sessions, List<NatShiftAlert> alerts) {
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (SessionSummary s : sessions) {
            start = Math.min(start, s.getStartMillis());
            end = Math.max(end, s.getStartMillis());
        }
        for (NatShiftAlert a : alerts) {
            start = Math.min(start, a.getDetectedAtMillis());
            end = Math.max(end, a.getDetectedAtMillis());
        }
        if (start == Long.MAX_VALUE) {
            return "<p>No IKE SA attempts to chart.</p>\n";
        }
        long span = Math.max(1, end - start + 1);
        long[][] counts = new long[3][BUCKETS];
        for (SessionSummary s : sessions) {
            int b = bucket(s.getStartMillis(), start, span);
            counts[0][b]++;
            if (!"established".equals(s.getOutcome())) {
                counts[1][b]++;
            }
        }
        for (NatShiftAlert a : alerts) {
            counts[2][bucket(a.getDetectedAtMillis(), start, span)]++;
        }
        long max = 1;
        for (long[] series : counts) {
            for (long c : series) {
                max = Math.max(max, c);
            }
        }
        String[] names = {"attempts", "failures", "shifts"};
        String[] colors = {"#2c7fb8", "#f39c12", "#c0392b"};
        double slot = (WIDTH - LEFT - 10) / (double) BUCKETS;
        double bar = slot / 3.5;
        StringBuilder s = new StringBuilder();
        s.append(String.format("<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">%n",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        s.append("<title>IKE SA attempts, failures and NAT-T shifts over capture time</title>\n");
        s.append(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>%n", LEFT, BOTTOM, WIDTH - 10, BOTTOM));
        s.append(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>%n", LEFT, TOP, LEFT, BOTTOM));
        s.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%d</text>%n", LEFT - 4, TOP + 4, max));
        s.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">0</text>%n", LEFT - 4, BOTTOM));
        for (int k = 0; k < 3; k++) {
            s.append(String.format("<g class=\"series\" data-series=\"%s\">", names[k]));
            for (int b = 0; b < BUCKETS; b++) {
                if (counts[k][b] == 0) {
                    continue;
                }
                double h = (BOTTOM - TOP) * counts[k][b] / (double) max;
                s.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %d</title></rect>",
                        LEFT + b * slot + k * bar, BOTTOM - h, bar, h, colors[k], names[k], counts[k][b]));
            }
            s.append("</g>\n");
            s.append(String.format("<rect x=\"%d\" y=\"8\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"17\" font-size=\"11\">%s</text>%n",
                    LEFT + k * 110, colors[k], LEFT + 14 + k * 110, names[k]));
        }
        s.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"10\">%s</text>%n", LEFT, BOTTOM + 16, Instant.ofEpochMilli(start)));
        s.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%s</text>%n", WIDTH - 10, BOTTOM + 16, Instant.ofEpochMilli(end)));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">capture time, %d buckets of %.1f s</text>%n",
                WIDTH / 2, BOTTOM + 32, BUCKETS, span / 1000.0 / BUCKETS));
        s.append("</svg>\n");
        return s.toString();
    }

    private static int bucket(long t, long start, long span) {
        return (int) Math.min(BUCKETS - 1, (t - start) * BUCKETS / span);
    }
}
