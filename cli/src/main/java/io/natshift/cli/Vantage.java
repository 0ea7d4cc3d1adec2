package io.natshift.cli;

/** Where a probe sits relative to the NAT; recorded in every IkePacket. */
enum Vantage {
    INSIDE, OUTSIDE, GATEWAY, UNKNOWN;

    String text() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
