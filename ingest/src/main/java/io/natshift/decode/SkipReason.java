package io.natshift.decode;

/** Frames that are legitimately not IKE messages. Counted, never reported as errors. */
public enum SkipReason {
    /** Not IPv4/IPv6, not UDP, or UDP on no IKE port. */
    NOT_IKE_TRAFFIC,
    /** A non-first IP fragment: its IKE header (if any) is in the first fragment. */
    IP_FRAGMENT,
    /** RFC 3948 NAT-keepalive: a single 0xFF byte on UDP 4500. */
    NAT_KEEPALIVE,
    /** RFC 3948 ESP-in-UDP: non-zero first word (the ESP SPI) on UDP 4500. */
    ESP_IN_UDP
}
