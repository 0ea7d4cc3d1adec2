package io.natshift.decode;

/**
 * Link-layer header types as pcap/pcapng files and libpcap name them (LINKTYPE_* values of
 * https://www.tcpdump.org/linktypes.html). Unknown values stay plain ints.
 */
public final class LinkType {
    public static final int NULL = 0;          // BSD loopback, 4-byte family in the capturing host's order
    public static final int ETHERNET = 1;
    public static final int RAW_OPENBSD = 12;  // DLT_RAW as some BSDs number it
    public static final int RAW_BSDOS = 14;
    public static final int RAW = 101;         // raw IPv4 or IPv6, version from the first nibble
    public static final int LOOP = 108;        // OpenBSD loopback, family in network order
    public static final int LINUX_SLL = 113;
    public static final int IPV4 = 228;
    public static final int IPV6 = 229;
    public static final int LINUX_SLL2 = 276;

    private LinkType() {
    }

    public static boolean isSupported(int linkType) {
        return switch (linkType) {
            case NULL, ETHERNET, RAW_OPENBSD, RAW_BSDOS, RAW, LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2 -> true;
            default -> false;
        };
    }

    public static String name(int linkType) {
        return switch (linkType) {
            case NULL -> "NULL";
            case ETHERNET -> "ETHERNET";
            case RAW_OPENBSD, RAW_BSDOS, RAW -> "RAW";
            case LOOP -> "LOOP";
            case LINUX_SLL -> "LINUX_SLL";
            case IPV4 -> "IPV4";
            case IPV6 -> "IPV6";
            case LINUX_SLL2 -> "LINUX_SLL2";
            default -> "LINKTYPE_" + linkType;
        };
    }
}
