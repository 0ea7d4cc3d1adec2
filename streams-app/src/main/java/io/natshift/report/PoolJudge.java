package io.natshift.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.natshift.schemas.avro.SessionSummary;

/**
 * Pool verdicts when natshift.pool-stats is not available: floats and shifts of the SAs seen
 * outside the NAT, grouped by the /24 (IPv4) or /64 (IPv6) of the public UDP 500 address.
 * One shift proves that the NAT chose another public address for the 4500 flow of the same host
 * (RFC 4787 "arbitrary" pooling); only floats without a shift, and enough of them, suggest "paired".
 */
final class PoolJudge {
    /** Floats without a single shift needed before calling a pool paired. */
    static final int PAIRED_MIN_FLOATS = 5;

    private PoolJudge() {
    }

    static List<Findings.Pool> judge(List<SessionSummary> sessions) {
        Map<String, long[]> counts = new TreeMap<>();
        for (SessionSummary s : sessions) {
            if (s.getInitiatorNatT() == null || "inside".equals(s.getVantage())) {
                continue; // no float, or private addresses: nothing about the pool
            }
            long[] c = counts.computeIfAbsent(Endpoints.prefix(Endpoints.host(s.getInitiator())), p -> new long[2]);
            c[0]++;
            if (s.getNatShift()) {
                c[1]++;
            }
        }
        List<Findings.Pool> pools = new ArrayList<>();
        counts.forEach((pool, c) -> pools.add(verdict(pool, c[0], c[1])));
        return pools;
    }

    static Findings.Pool verdict(String pool, long floats, long shifts) {
        String verdict;
        String sentence;
        if (shifts > 0) {
            verdict = "arbitrary";
            sentence = String.format("NAT pool %s: %d of %d IKE SAs that moved from UDP 500 to UDP 4500 left from a different "
                    + "public address, so the NAT picks a pool address per connection (arbitrary pooling) and breaks NAT-T; "
                    + "RFC 4787 REQ-2 requires paired pooling (one public address per inside host).", pool, shifts, floats);
        } else if (floats >= PAIRED_MIN_FLOATS) {
            verdict = "paired";
            sentence = String.format("NAT pool %s: all %d IKE SAs that moved to UDP 4500 kept their public address "
                    + "(paired pooling, as RFC 4787 REQ-2 asks).", pool, floats);
        } else {
            verdict = "insufficient-data";
            sentence = String.format("NAT pool %s: %d float(s) to UDP 4500 without a shift, too few to judge the pooling "
                    + "(at least %d needed).", pool, floats, PAIRED_MIN_FLOATS);
        }
        return new Findings.Pool(pool, verdict, floats, shifts, sentence, "capture");
    }
}
