package io.natshift.publish;

import java.util.Locale;

/** Where a probe sits relative to the NAT; written into every IkePacket as lowercase text. */
public enum Vantage {
    /** Before the NAT (carrier side): subscriber addresses are constant. */
    INSIDE,
    /** Between the NAT and the gateway's edge: pool addresses are visible. */
    OUTSIDE,
    /** At the VPN gateway, after any load balancer. */
    GATEWAY,
    /** Not said (records of schema v1 read back with this value). */
    UNKNOWN;

    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
