package io.natshift.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.NatShiftAlert;

/**
 * The ladder diagram of one alerted SA, as the engineer of the founding incident drew it by hand:
 * lanes for subscriber, NAT and gateway with the probes between them, one arrow per captured packet
 * (frame, time offset, exchange and message, cookies, addresses). Packets an inside probe saw run
 * between subscriber and NAT, the others between NAT and gateway. The shifted packets (from an
 * address other than the SA's UDP 500 address) are highlighted; retransmissions are dashed;
 * packets nothing answered are marked.
 */
final class Ladder {
    static final int ROW = 36;
    static final int TOP = 78;
    static final int X_SUBSCRIBER = 90;
    static final int X_INSIDE_PROBE = 250;
    static final int X_NAT = 410;
    static final int X_OUTSIDE_PROBE = 570;
    static final int X_GATEWAY = 730;
    static final int X_NOTES = 760;
    static final int WIDTH = 1180;
    private static final int V1_INFORMATIONAL = 5;

    record Row(IkePacket packet, boolean fromInitiator, String message, boolean shift, boolean retransmission, boolean unanswered) {
    }

    private Ladder() {
    }

    static List<Row> rows(NatShiftAlert alert, List<IkePacket> packets) {
        List<IkePacket> sorted = new ArrayList<>(packets);
        sorted.sort(Comparator.comparingLong(Ladder::micros).thenComparing(IkePacket::getSource)
                .thenComparingLong(IkePacket::getFrame));
        String beforeHost = Endpoints.host(alert.getBefore());
        Map<String, String> responderByVantage = new HashMap<>();
        responderByVantage.put(alert.getVantage(), alert.getGateway());
        Set<String> seen = new HashSet<>();
        Map<String, String> names = new HashMap<>();
        IkeNames naming = new IkeNames();
        List<Row> rows = new ArrayList<>();
        for (IkePacket p : sorted) {
            String vantage = p.getVantage();
            Boolean v2 = IkeNames.v2Initiator(p);
            boolean fromInitiator;
            if (v2 != null) {
                fromInitiator = v2;
                if (fromInitiator) {
                    responderByVantage.putIfAbsent(vantage, p.getDstAddr());
                }
            } else {
                // IKEv1: a NAT in front of the initiator never changes the responder's address
                // the first packet of a vantage normally starts the exchange (initiator -> responder)
                String responder = responderByVantage.computeIfAbsent(vantage, v -> p.getDstAddr());
                fromInitiator = !p.getSrcAddr().equals(responder);
            }
            String key = vantage + '|' + p.getProbeId() + '|' + fromInitiator + '|' + p.getExchangeType() + '|'
                    + p.getMessageId() + '|' + p.getFlags() + '|' + p.getLength();
            boolean retransmission = !seen.add(key);
            String message = names.computeIfAbsent(key, k -> naming.name(p, fromInitiator));
            boolean shift = fromInitiator && vantage.equals(alert.getVantage()) && !p.getSrcAddr().equals(beforeHost);
            rows.add(new Row(p, fromInitiator, message, shift, retransmission, false));
        }
        List<Row> marked = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            marked.add(new Row(r.packet(), r.fromInitiator(), r.message(), r.shift(), r.retransmission(), !answered(rows, i)));
        }
        return marked;
    }

    /** A later packet of the other side went back to this packet's sender (same vantage). Informationals expect nothing. */
    private static boolean answered(List<Row> rows, int i) {
        Row r = rows.get(i);
        IkePacket p = r.packet();
        if (p.getMajorVersion() == 1 && p.getExchangeType() == V1_INFORMATIONAL) {
            return true;
        }
        for (int j = i + 1; j < rows.size(); j++) {
            Row o = rows.get(j);
            IkePacket q = o.packet();
            // the responder answers the initiator's exact endpoint; the initiator may answer from 4500 after the float
            if (o.fromInitiator() != r.fromInitiator() && q.getVantage().equals(p.getVantage())
                    && q.getDstAddr().equals(p.getSrcAddr()) && (r.fromInitiator() ? q.getDstPort() == p.getSrcPort() : true)) {
                return true;
            }
        }
        return false;
    }

    static long micros(IkePacket p) {
        java.time.Instant t = p.getTimestampMicros();
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    static String svg(NatShiftAlert alert, List<IkePacket> packets, int index) {
        List<Row> rows = rows(alert, packets);
        int height = TOP + rows.size() * ROW + 30;
        String arrow = "ah" + index;
        String arrowShift = "ahs" + index;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg class=\"ladder\" data-sa=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">%n",
                Svg.esc(alert.getSaId()), WIDTH, height, WIDTH, height));
        s.append(String.format("<title>Ladder of IKE SA %s</title>%n", Svg.esc(alert.getSaId())));
        s.append("<defs>")
                .append(String.format("<marker id=\"%s\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L10,4 L0,8 z\" fill=\"#333\"/></marker>", arrow))
                .append(String.format("<marker id=\"%s\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L10,4 L0,8 z\" fill=\"#c0392b\"/></marker>", arrowShift))
                .append("</defs>\n");
        lane(s, X_SUBSCRIBER, "subscriber", "Subscriber", height, false);
        lane(s, X_INSIDE_PROBE, "probe-inside", "probe (inside)", height, true);
        lane(s, X_NAT, "nat", "NAT", height, false);
        lane(s, X_OUTSIDE_PROBE, "probe-outside", "probe (" + alert.getVantage() + ")", height, true);
        lane(s, X_GATEWAY, "gateway", "Gateway " + alert.getGateway(), height, false);
        s.append(String.format("<text class=\"notes-title\" x=\"%d\" y=\"%d\" font-size=\"11\" font-weight=\"bold\">addresses and cookies (initiator/responder)</text>%n",
                X_NOTES, TOP - 30));
        long t0 = rows.isEmpty() ? 0 : micros(rows.get(0).packet());
        int y = TOP;
        for (Row r : rows) {
            y += ROW;
            IkePacket p = r.packet();
            boolean inside = "inside".equals(p.getVantage());
            int left = inside ? X_SUBSCRIBER : X_NAT;
            int right = inside ? X_NAT : X_GATEWAY;
            int probeX = inside ? X_INSIDE_PROBE : X_OUTSIDE_PROBE;
            int x1 = r.fromInitiator() ? left : right;
            int x2 = r.fromInitiator() ? right : left;
            StringBuilder cls = new StringBuilder("packet ").append(r.fromInitiator() ? "from-initiator" : "from-responder");
            if (r.shift()) {
                cls.append(" shift");
            }
            if (r.retransmission()) {
                cls.append(" retransmission");
            }
            if (r.unanswered()) {
                cls.append(" unanswered");
            }
            s.append(String.format("<g class=\"%s\" data-frame=\"%d\">", cls, p.getFrame()));
            if (r.shift()) {
                s.append(String.format("<rect class=\"shift-highlight\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fdecea\"/>",
                        left - 10, y - ROW + 6, WIDTH - left + 5, ROW - 4));
            }
            String color = r.shift() ? "#c0392b" : "#333";
            s.append(String.format("<line class=\"arrow\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%s\"%s marker-end=\"url(#%s)\"/>",
                    x1, y, x2, y, color, r.shift() ? "2" : "1.3", r.retransmission() ? " stroke-dasharray=\"6,4\"" : "",
                    r.shift() ? arrowShift : arrow));
            s.append(String.format("<circle class=\"capture-point\" cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"#2c7fb8\"/>", probeX, y));
            String label = String.format(Locale.ROOT, "#%d  +%.3f s  %s%s%s", p.getFrame(), (micros(p) - t0) / 1e6,
                    r.message(), r.retransmission() ? "  (retransmission)" : "", p.getNatT() ? "  UDP 4500" : "  UDP 500");
            s.append(String.format("<text class=\"label\" x=\"%d\" y=\"%d\" font-size=\"10\" font-family=\"monospace\" fill=\"%s\">%s</text>",
                    left + 8, y - 5, color, Svg.esc(label)));
            if (r.unanswered()) {
                s.append(String.format("<text class=\"unanswered-mark\" x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#c0392b\">&#x2717; unanswered</text>",
                        r.fromInitiator() ? right - 80 : left + 4, y + 13));
            }
            String note = Endpoints.endpoint(p.getSrcAddr(), p.getSrcPort()) + " \u2192 " + Endpoints.endpoint(p.getDstAddr(), p.getDstPort());
            s.append(String.format("<text class=\"note\" x=\"%d\" y=\"%d\" font-size=\"10\" font-family=\"monospace\" fill=\"%s\">%s</text>",
                    X_NOTES, y - 5, color, Svg.esc(note + (r.shift() ? "  address changed: " + Endpoints.host(alert.getBefore()) + " \u2192 " + p.getSrcAddr() : ""))));
            s.append(String.format("<text class=\"cookies\" x=\"%d\" y=\"%d\" font-size=\"10\" font-family=\"monospace\" fill=\"#555\">%s/%s</text>",
                    X_NOTES, y + 8, hex(p.getInitiatorSpi().bytes()), hex(p.getResponderSpi().bytes())));
            s.append("</g>\n");
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static void lane(StringBuilder s, int x, String id, String title, int height, boolean probe) {
        s.append(String.format("<g class=\"lane\" data-lane=\"%s\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%s\"%s/>"
                        + "<text class=\"lane-title\" x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\">%s</text></g>%n",
                id, x, TOP - 10, x, height - 10, probe ? "#2c7fb8" : "#888", probe ? "1" : "2", probe ? " stroke-dasharray=\"2,4\"" : "",
                x, TOP - 30, Svg.esc(title)));
    }

    static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
