package io.natshift.decode;

/** Link-layer headers: where the IP header starts and which IP version it claims. */
final class LinkLayer {

    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86DD;
    static final int ETHERTYPE_VLAN = 0x8100;     // 802.1Q
    static final int ETHERTYPE_QINQ = 0x88A8;     // 802.1ad
    static final int ETHERTYPE_QINQ_OLD = 0x9100;

    //  Ethernet II: destination MAC (6) | source MAC (6) | EtherType (2), then 4 bytes per VLAN tag:
    //  TPID (2, the EtherType above) | TCI (2), then the inner EtherType.
    static final int ETHERNET_TYPE_OFFSET = 12;
    static final int ETHERNET_HEADER_SIZE = ETHERNET_TYPE_OFFSET + 2;
    static final int VLAN_TAG_SIZE = 4;
    static final int MAX_VLAN_TAGS = 4;

    //  Linux cooked v1 (16 bytes): packet type (2) | ARPHRD (2) | addr len (2) | addr (8) | protocol (2)
    static final int SLL_PROTOCOL_OFFSET = 14;
    static final int SLL_HEADER_SIZE = SLL_PROTOCOL_OFFSET + 2;
    //  Linux cooked v2 (20 bytes): protocol (2) | reserved (2) | ifindex (4) | ARPHRD (2) | type (1)
    //  | addr len (1) | addr (8)
    static final int SLL2_PROTOCOL_OFFSET = 0;
    static final int SLL2_HEADER_SIZE = 20;

    //  BSD loopback: address family, 4 bytes, in the capturing host's byte order (NULL) or network
    //  order (LOOP). IPv6's AF_INET6 differs per OS: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
    static final int NULL_HEADER_SIZE = 4;
    static final int AF_INET = 2;

    /** Marker results of {@link #ipOffset}. */
    static final int TRUNCATED = -1;
    static final int NOT_IP = -2;
    static final int UNSUPPORTED = -3;

    private LinkLayer() {
    }

    /** Offset of the IP header within {@code b}, or one of the negative markers. */
    static int ipOffset(byte[] b, int offset, int length, int linkType) {
        int end = offset + length;
        switch (linkType) {
            case LinkType.ETHERNET:
                return ethernet(b, offset, end);
            case LinkType.RAW, LinkType.RAW_OPENBSD, LinkType.RAW_BSDOS, LinkType.IPV4, LinkType.IPV6:
                return offset;
            case LinkType.NULL, LinkType.LOOP:
                return loopback(b, offset, end);
            case LinkType.LINUX_SLL:
                if (offset + SLL_HEADER_SIZE > end) {
                    return TRUNCATED;
                }
                return etherTypeIsIp(Bytes.u16(b, offset + SLL_PROTOCOL_OFFSET)) ? offset + SLL_HEADER_SIZE : NOT_IP;
            case LinkType.LINUX_SLL2:
                if (offset + SLL2_HEADER_SIZE > end) {
                    return TRUNCATED;
                }
                return etherTypeIsIp(Bytes.u16(b, offset + SLL2_PROTOCOL_OFFSET)) ? offset + SLL2_HEADER_SIZE : NOT_IP;
            default:
                return UNSUPPORTED;
        }
    }

    private static int ethernet(byte[] b, int offset, int end) {
        int typeAt = offset + ETHERNET_TYPE_OFFSET;
        for (int tags = 0; tags <= MAX_VLAN_TAGS; tags++) {
            if (typeAt + 2 > end) {
                return TRUNCATED;
            }
            int etherType = Bytes.u16(b, typeAt);
            if (etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ || etherType == ETHERTYPE_QINQ_OLD) {
                typeAt += VLAN_TAG_SIZE;
                continue;
            }
            return etherTypeIsIp(etherType) ? typeAt + 2 : NOT_IP;
        }
        return NOT_IP;
    }

    private static int loopback(byte[] b, int offset, int end) {
        if (offset + NULL_HEADER_SIZE > end) {
            return TRUNCATED;
        }
        // Accept either byte order: the file does not say which host wrote it.
        int family = Bytes.u32le(b, offset);
        if (family > 0xFFFF) {
            family = Integer.reverseBytes(family);
        }
        return switch (family) {
            case AF_INET, 24, 28, 30 -> offset + NULL_HEADER_SIZE;
            default -> NOT_IP;
        };
    }

    private static boolean etherTypeIsIp(int etherType) {
        return etherType == ETHERTYPE_IPV4 || etherType == ETHERTYPE_IPV6;
    }
}
