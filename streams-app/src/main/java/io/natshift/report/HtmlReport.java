package io.natshift.report;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.natshift.schemas.avro.IkePacket;

/**
 * {@code --format html}: one self-contained file (inline CSS and SVG, no script, nothing fetched):
 * the text report's tables, a timeline chart, and a ladder diagram per alerted SA.
 */
public final class HtmlReport {
    private HtmlReport() {
    }

    public static String render(Findings f) {
        AnalysisReport r = f.report();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>natshift analyze: ")
                .append(Svg.esc(r.files().stream().map(AnalysisReport.InputFile::path).collect(Collectors.joining(", "))))
                .append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:2em;color:#222;max-width:1250px}")
                .append("table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}")
                .append("th{background:#f3f3f3}td.num{text-align:right}.failed{color:#c0392b;font-weight:bold}.recovered{color:#b9770e}")
                .append("code{font-size:12px}.diagnosis{background:#fdf6e3;border-left:4px solid #c0392b;padding:.6em 1em}")
                .append("svg{display:block;margin:.5em 0 2em;border:1px solid #eee}")
                .append("\n</style></head><body>\n");
        h.append("<h1>natshift analyze</h1>\n<p>");
        for (AnalysisReport.InputFile file : r.files()) {
            h.append("<code>").append(Svg.esc(file.path())).append("</code> (").append(Svg.esc(file.vantage())).append(", ")
                    .append(file.frames()).append(" frames, ").append(file.ikePackets()).append(" IKE packets)<br>");
        }
        h.append("</p>\n<h2>Diagnosis</h2>\n<p class=\"diagnosis\" id=\"diagnosis\">").append(Svg.esc(f.diagnosis())).append("</p>\n");

        Findings.Sessions s = f.sessions();
        h.append("<h2>Summary</h2>\n<table id=\"summary\">");
        row(h, "th", "frames", String.valueOf(r.frames()));
        row(h, "th", "IKE packets", String.valueOf(r.ikePackets()));
        row(h, "th", "IKE SAs", String.valueOf(s.total()));
        row(h, "th", "established", String.valueOf(s.established()));
        row(h, "th", "failed", String.valueOf(s.failed()));
        row(h, "th", "failed by cause", TextReport.counts(s.byCause()));
        row(h, "th", "NAT-T shifts", f.shifts().size() + " (failed " + f.failedShifts() + ")");
        if (!r.rejected().isEmpty()) {
            row(h, "th", "rejected frames", TextReport.counts(r.rejected()));
        }
        for (String p : r.problems()) {
            row(h, "th", "problem", p);
        }
        h.append("</table>\n");

        h.append("<h2>Timeline</h2>\n").append(Timeline.svg(r.sessions(), r.alerts()));

        h.append("<h2>NAT-T address shifts (").append(f.shifts().size()).append(")</h2>\n");
        if (!f.shifts().isEmpty()) {
            h.append("<table id=\"shifts\"><tr><th>initiator SPI</th><th>responder SPI</th><th>before</th><th>after</th><th>gateway</th>"
                    + "<th>outcome</th><th>evidence frames</th><th>ladder</th></tr>\n");
            int i = 0;
            for (Findings.Shift x : f.shifts()) {
                var a = x.alert();
                boolean ladder = r.packetsBySa().containsKey(a.getSaId());
                h.append("<tr><td><code>").append(a.getInitiatorSpi()).append("</code></td><td><code>").append(a.getResponderSpi())
                        .append("</code></td><td>").append(Svg.esc(a.getBefore())).append("</td><td>").append(Svg.esc(a.getAfter()))
                        .append("</td><td>").append(Svg.esc(a.getGateway())).append("</td><td class=\"").append(Svg.esc(a.getOutcome())).append("\">")
                        .append(Svg.esc(a.getOutcome())).append("</td><td>")
                        .append(x.evidenceFrames().stream().map(String::valueOf).collect(Collectors.joining(", ")))
                        .append("</td><td>").append(ladder ? "<a href=\"#ladder-" + i + "\">ladder</a>" : "-").append("</td></tr>\n");
                i++;
            }
            h.append("</table>\n");
        }

        h.append("<h2>NAT pools</h2>\n");
        if (f.pools().isEmpty()) {
            h.append("<p>No floats to UDP 4500 seen outside a NAT: nothing to judge.</p>\n");
        } else {
            h.append("<table id=\"pools\"><tr><th>pool</th><th>verdict</th><th>floats</th><th>shifts</th><th>explanation</th></tr>\n");
            for (Findings.Pool p : f.pools()) {
                h.append("<tr><td>").append(Svg.esc(p.pool())).append("</td><td>").append(Svg.esc(p.verdict())).append("</td><td class=\"num\">")
                        .append(p.floats()).append("</td><td class=\"num\">").append(p.shifts()).append("</td><td>")
                        .append(Svg.esc(p.explanation())).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }

        h.append("<h2>Gateways</h2>\n<table id=\"gateways\"><tr><th>gateway</th><th>attempts</th><th>established</th><th>failed</th>"
                + "<th>shifts</th><th>retransmissions</th><th>setup p50/p95 ms</th><th>failed by cause</th></tr>\n");
        for (Findings.Gateway g : f.gateways()) {
            h.append("<tr><td>").append(Svg.esc(g.gateway())).append("</td><td class=\"num\">").append(g.attempts())
                    .append("</td><td class=\"num\">").append(g.established()).append("</td><td class=\"num\">").append(g.failed())
                    .append("</td><td class=\"num\">").append(g.natShifts()).append("</td><td class=\"num\">").append(g.retransmissions())
                    .append("</td><td>").append(g.setupMillisMedian() == null ? "-" : g.setupMillisMedian() + " / " + g.setupMillisP95())
                    .append("</td><td>").append(Svg.esc(TextReport.counts(g.byCause()))).append("</td></tr>\n");
        }
        h.append("</table>\n");

        h.append("<h2>Ladder diagrams</h2>\n");
        h.append("<p>One arrow per captured packet: frame, time since the SA's first packet, message. Red: the address change "
                + "(the shifted packets). Dashed: retransmissions. &#x2717;: nothing came back to that sender. Dots: where the probe saw it.</p>\n");
        int i = 0;
        for (Findings.Shift x : f.shifts()) {
            List<IkePacket> packets = r.packetsBySa().get(x.alert().getSaId());
            if (packets != null && !packets.isEmpty()) {
                h.append("<h3 id=\"ladder-").append(i).append("\">SA <code>").append(x.alert().getSaId()).append("</code>: ")
                        .append(Svg.esc(x.alert().getBefore())).append(" &#x2192; ").append(Svg.esc(x.alert().getAfter()))
                        .append(", ").append(Svg.esc(x.alert().getOutcome())).append("</h3>\n");
                h.append(Ladder.svg(x.alert(), packets, i));
            }
            i++;
        }
        if (r.laddersOmitted() > 0) {
            h.append("<p>").append(r.laddersOmitted()).append(" further alerted SAs have no ladder here (cap reached).</p>\n");
        }
        for (Map.Entry<String, List<Map<String, Object>>> t : r.extraTopics().entrySet()) {
            if (t.getValue().isEmpty()) {
                continue;
            }
            h.append("<h2>").append(Svg.esc(t.getKey())).append(" (").append(t.getValue().size()).append(" records)</h2>\n<table>");
            List<String> columns = List.copyOf(t.getValue().get(0).keySet());
            h.append("<tr>");
            columns.forEach(c -> h.append("<th>").append(Svg.esc(c)).append("</th>"));
            h.append("</tr>\n");
            t.getValue().stream().limit(200).forEach(rec -> {
                h.append("<tr>");
                columns.forEach(c -> h.append("<td>").append(Svg.esc(String.valueOf(rec.get(c)))).append("</td>"));
                h.append("</tr>\n");
            });
            h.append("</table>\n");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void row(StringBuilder h, String head, String name, String value) {
        h.append("<tr><").append(head).append('>').append(Svg.esc(name)).append("</").append(head).append("><td>")
                .append(Svg.esc(value)).append("</td></tr>");
    }
}
