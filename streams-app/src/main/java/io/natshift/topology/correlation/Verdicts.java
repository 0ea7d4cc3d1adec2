package io.natshift.topology.correlation;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The pooling verdict of RFC 4787 REQ-2 (section 4.1) and RFC 6888 REQ-2: a NAT should use the
 * same external address for all sessions of one internal host ("paired"). An IKE SA whose UDP 4500
 * float leaves from another address than its UDP 500 leg proves the pool is "arbitrary".
 *
 * <ul>
 * <li>arbitrary: at least minFloats floats and at least minShifts of them shifted;</li>
 * <li>paired: at least minFloats floats and none shifted;</li>
 * <li>insufficient-data: otherwise (few floats, or too few shifts to rule out a one-off).</li>
 * </ul>
 */
public record Verdicts(long minFloats, long minShifts) {
    public static final long DEFAULT_MIN_FLOATS = 10;
    public static final long DEFAULT_MIN_SHIFTS = 2;

    public static final String ARBITRARY = "arbitrary";
    public static final String PAIRED = "paired";
    public static final String INSUFFICIENT = "insufficient-data";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

    public String verdict(long floats, long shifts) {
        if (floats >= minFloats && shifts >= minShifts) {
            return ARBITRARY;
        }
        if (floats >= minFloats && shifts == 0) {
            return PAIRED;
        }
        return INSUFFICIENT;
    }

    /** One sentence for a ticket to the NAT owner. {@code end} null = running total since {@code start}. */
    public String explain(String verdict, String pool, long start, Long end, long floats, long shifts, long failed,
                          long subscribers) {
        String when = end == null ? "since " + TIME.format(Instant.ofEpochMilli(start)) + " UTC"
                : "between " + TIME.format(Instant.ofEpochMilli(start)) + " and " + TIME.format(Instant.ofEpochMilli(end)) + " UTC";
        return switch (verdict) {
            case ARBITRARY -> String.format(Locale.ROOT,
                    "NAT pool %s gave %d of %d IKE NAT-T floats (%.1f%%) a different public address than their UDP 500 leg %s, "
                            + "which broke %d VPN setups of %d subscribers: the pool uses arbitrary address pooling, "
                            + "please switch it to paired pooling as RFC 4787 REQ-2 and RFC 6888 REQ-2 require.",
                    pool, shifts, floats, 100.0 * shifts / floats, when, failed, subscribers);
            case PAIRED -> String.format(Locale.ROOT,
                    "NAT pool %s kept the same public address for all %d IKE NAT-T floats %s, "
                            + "consistent with paired address pooling (RFC 4787 REQ-2).", pool, floats, when);
            default -> String.format(Locale.ROOT,
                    "NAT pool %s saw %d IKE NAT-T floats (%d shifted) %s, too few for a pooling verdict "
                            + "(needs %d floats, and %d shifts for 'arbitrary' or none for 'paired').",
                    pool, floats, shifts, when, minFloats, minShifts);
        };
    }
}
