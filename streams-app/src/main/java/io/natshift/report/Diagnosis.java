package io.natshift.report;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The plain paragraph at the end of every report: what is wrong and what to change. */
final class Diagnosis {
    private Diagnosis() {
    }

    static String of(Findings f) {
        Findings.Sessions s = f.sessions();
        List<Findings.Shift> shifts = f.shifts();
        long failedShifts = f.failedShifts();
        long recovered = shifts.stream().filter(x -> "recovered".equals(x.alert().getOutcome())).count();
        StringBuilder d = new StringBuilder();
        if (!shifts.isEmpty()) {
            String gateways = join(shifts.stream().map(x -> x.alert().getGateway()).collect(Collectors.toCollection(TreeSet::new)));
            String arbitrary = join(f.pools().stream().filter(p -> "arbitrary".equals(p.verdict())).map(Findings.Pool::pool)
                    .collect(Collectors.toCollection(TreeSet::new)));
            d.append(String.format("NAT-T address shift: in %d IKE SA%s the subscriber's NAT sent the UDP 4500 packets "
                            + "(after the NAT-T float) from a different public address than the UDP 500 packets of the same SA",
                    shifts.size(), shifts.size() == 1 ? "" : "s"));
            d.append(arbitrary.isEmpty() ? "" : " (NAT pool " + arbitrary + ")").append(". ");
            if (failedShifts > 0) {
                d.append(String.format("%d of them failed: the gateway %s had no SA for the new address, kept answering "
                        + "(and retransmitting to) the old one, and the negotiation never completed, so the client gave up "
                        + "and started again with new cookies. ", failedShifts, gateways));
            }
            if (recovered > 0) {
                d.append(String.format("%d recovered because the gateway followed the new address (RFC 7296 2.23); "
                        + "that is a latent risk with other gateways. ", recovered));
            }
            d.append("Fix it on the carrier NAT in front of these subscribers: enable paired address pooling "
                    + "(\"address persistence\" / \"paired\" pool mode, so every flow of one inside host leaves from the same "
                    + "public address), as RFC 4787 REQ-2 and RFC 6888 REQ-2 require. Letting the VPN gateway accept the "
                    + "new address only hides the fault.");
            return d.toString();
        }
        if (s.failed() > 0) {
            Map.Entry<String, Long> top = s.byCause().entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
            d.append(String.format("No NAT-T address shift. %d of %d IKE SA attempts failed; most often: %s (%d). ",
                    s.failed(), s.total(), top.getKey(), top.getValue()));
            d.append(switch (top.getKey()) {
                case "no-response-after-float" -> "The initiator moved to UDP 4500 and nothing came back: UDP 4500 is "
                        + "blocked on the path or at the gateway; allow UDP 4500 (RFC 3947 NAT-T) end to end.";
                case "no-response" -> "The gateway never answered UDP 500: check that it is reachable, listening and "
                        + "configured for these peers.";
                case "notify" -> "The peers rejected each other's proposals (see the notify types): align IKE "
                        + "proposals (encryption, integrity, DH group) on client and gateway.";
                case "stalled-after-float" -> "Seen from inside the NAT only: the negotiation stalled after the float to "
                        + "UDP 4500, the signature of a NAT changing the public address; add a probe outside the NAT to confirm.";
                default -> "The initiator abandoned the negotiation: check its logs and timeouts.";
            });
            return d.toString();
        }
        if (s.total() == 0) {
            return "No IKE SA attempt could be summarised from this capture.";
        }
        long paired = f.pools().stream().filter(p -> "paired".equals(p.verdict())).count();
        return String.format("No fault found: all %d IKE SA attempts were established and no NAT-T address shift was seen%s.",
                s.total(), paired > 0 ? " (the NAT pools seen keep one public address per host: paired pooling)" : "");
    }

    private static String join(TreeSet<String> items) {
        return String.join(", ", items);
    }
}
