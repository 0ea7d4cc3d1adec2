package io.natshift.decode;

/** IPv4 (with options), IPv6 (with extension headers) and UDP, down to the UDP payload. */
final class IpLayer {

    /** Results of {@link #decode}. */
    static final int UDP = 0;
    static final int NOT_UDP = 1;
    static final int LATER_FRAGMENT = 2;
    static final int TRUNCATED = 3;
    static final int BAD_IP = 4;
    static final int BAD_UDP = 5;

    static final int PROTOCOL_UDP = 17;

    //  RFC 791 3.1
    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |Version|  IHL  |Type of Service|          Total Length         |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |         Identification        |Flags|      Fragment Offset    |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |  Time to Live |    Protocol   |         Header Checksum       |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                       Source Address                          |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                    Destination Address                        |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                    Options                    |    Padding    |
    static final int V4_VERSION_IHL_OFFSET = 0;
    static final int V4_TOTAL_LENGTH_OFFSET = 2;
    static final int V4_FLAGS_FRAGMENT_OFFSET = 6;
    static final int V4_PROTOCOL_OFFSET = 9;
    static final int V4_SRC_OFFSET = 12;
    static final int V4_DST_OFFSET = V4_SRC_OFFSET + 4;
    static final int V4_MIN_HEADER_SIZE = V4_DST_OFFSET + 4;
    static final int V4_MORE_FRAGMENTS = 0x2000;
    static final int V4_FRAGMENT_OFFSET_MASK = 0x1FFF;

    //  RFC 8200 3
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |Version| Traffic Class |           Flow Label                  |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |         Payload Length        |  Next Header  |   Hop Limit   |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                  Source Address (128 bits)                    |
    //  |               Destination Address (128 bits)                  |
    static final int V6_PAYLOAD_LENGTH_OFFSET = 4;
    static final int V6_NEXT_HEADER_OFFSET = 6;
    static final int V6_SRC_OFFSET = 8;
    static final int V6_DST_OFFSET = V6_SRC_OFFSET + 16;
    static final int V6_HEADER_SIZE = V6_DST_OFFSET + 16;

    // Extension headers (RFC 8200 4): next header (1) | length in 8-octet units not counting the
    // first 8 (1) | ...; the fragment header is always 8 bytes: next | reserved | offset(13) res(2) M(1) | id.
    static final int EXT_HOP_BY_HOP = 0;
    static final int EXT_ROUTING = 43;
    static final int EXT_FRAGMENT = 44;
    static final int EXT_AUTH = 51;          // RFC 4302: length in 4-octet units minus 2
    static final int EXT_DESTINATION = 60;
    static final int EXT_MOBILITY = 135;
    static final int EXT_HIP = 139;
    static final int EXT_SHIM6 = 140;
    static final int FRAGMENT_HEADER_SIZE = 8;
    static final int V6_FRAGMENT_OFFSET_MASK = 0xFFF8;
    static final int V6_MORE_FRAGMENTS = 0x0001;
    static final int MAX_EXTENSION_HEADERS = 16;

    //  RFC 768: source port (2) | destination port (2) | length (2) | checksum (2)
    static final int UDP_SRC_PORT_OFFSET = 0;
    static final int UDP_DST_PORT_OFFSET = UDP_SRC_PORT_OFFSET + 2;
    static final int UDP_LENGTH_OFFSET = UDP_DST_PORT_OFFSET + 2;
    static final int UDP_HEADER_SIZE = 8;

    private IpLayer() {
    }

    static int decode(byte[] b, int ip, int end, Datagram d) {
        if (ip >= end) {
            return TRUNCATED;
        }
        int version = Bytes.u8(b, ip) >>> 4;
        return switch (version) {
            case 4 -> ipv4(b, ip, end, d);
            case 6 -> ipv6(b, ip, end, d);
            default -> BAD_IP;
        };
    }

    private static int ipv4(byte[] b, int ip, int end, Datagram d) {
        if (ip + V4_MIN_HEADER_SIZE > end) {
            return TRUNCATED;
        }
        int headerLength = (Bytes.u8(b, ip + V4_VERSION_IHL_OFFSET) & 0x0F) * 4;
        int totalLength = Bytes.u16(b, ip + V4_TOTAL_LENGTH_OFFSET);
        if (headerLength < V4_MIN_HEADER_SIZE || totalLength < headerLength) {
            return BAD_IP;
        }
        if (ip + headerLength > end) {
            return TRUNCATED;
        }
        d.ipVersion = 4;
        d.srcAddrOffset = ip + V4_SRC_OFFSET;
        d.dstAddrOffset = ip + V4_DST_OFFSET;
        if (Bytes.u8(b, ip + V4_PROTOCOL_OFFSET) != PROTOCOL_UDP) {
            return NOT_UDP;
        }
        int fragment = Bytes.u16(b, ip + V4_FLAGS_FRAGMENT_OFFSET);
        if ((fragment & V4_FRAGMENT_OFFSET_MASK) != 0) {
            return LATER_FRAGMENT;
        }
        d.firstFragment = (fragment & V4_MORE_FRAGMENTS) != 0;
        // Ethernet pads short frames: trust the IP total length over the frame end when smaller.
        int datagramEnd = Math.min(end, ip + totalLength);
        return udp(b, ip + headerLength, datagramEnd, ip + totalLength > end, d);
    }

    private static int ipv6(byte[] b, int ip, int end, Datagram d) {
        if (ip + V6_HEADER_SIZE > end) {
            return TRUNCATED;
        }
        d.ipVersion = 6;
        d.srcAddrOffset = ip + V6_SRC_OFFSET;
        d.dstAddrOffset = ip + V6_DST_OFFSET;
        d.firstFragment = false;
        int payloadLength = Bytes.u16(b, ip + V6_PAYLOAD_LENGTH_OFFSET);
        int declaredEnd = ip + V6_HEADER_SIZE + payloadLength;
        int datagramEnd = Math.min(end, declaredEnd);
        int next = Bytes.u8(b, ip + V6_NEXT_HEADER_OFFSET);
        int at = ip + V6_HEADER_SIZE;
        for (int count = 0; count < MAX_EXTENSION_HEADERS; count++) {
            switch (next) {
                case PROTOCOL_UDP:
                    return udp(b, at, datagramEnd, declaredEnd > end, d);
                case EXT_FRAGMENT: {
                    if (at + FRAGMENT_HEADER_SIZE > datagramEnd) {
                        return TRUNCATED;
                    }
                    int offsetAndFlags = Bytes.u16(b, at + 2);
                    if ((offsetAndFlags & V6_FRAGMENT_OFFSET_MASK) != 0) {
                        return LATER_FRAGMENT;
                    }
                    d.firstFragment |= (offsetAndFlags & V6_MORE_FRAGMENTS) != 0;
                    next = Bytes.u8(b, at);
                    at += FRAGMENT_HEADER_SIZE;
                    break;
                }
                case EXT_HOP_BY_HOP, EXT_ROUTING, EXT_DESTINATION, EXT_MOBILITY, EXT_HIP, EXT_SHIM6, EXT_AUTH: {
                    if (at + 2 > datagramEnd) {
                        return TRUNCATED;
                    }
                    int size = next == EXT_AUTH ? (Bytes.u8(b, at + 1) + 2) * 4 : (Bytes.u8(b, at + 1) + 1) * 8;
                    next = Bytes.u8(b, at);
                    at += size;
                    if (at > datagramEnd) {
                        return datagramEnd < declaredEnd ? TRUNCATED : BAD_IP;
                    }
                    break;
                }
                default:
                    return NOT_UDP;
            }
        }
        return BAD_IP;
    }

    private static int udp(byte[] b, int udp, int datagramEnd, boolean cut, Datagram d) {
        if (udp + UDP_HEADER_SIZE > datagramEnd) {
            return TRUNCATED;
        }
        d.srcPort = Bytes.u16(b, udp + UDP_SRC_PORT_OFFSET);
        d.dstPort = Bytes.u16(b, udp + UDP_DST_PORT_OFFSET);
        int udpLength = Bytes.u16(b, udp + UDP_LENGTH_OFFSET);
        if (udpLength < UDP_HEADER_SIZE) {
            return BAD_UDP;
        }
        int present = datagramEnd - udp;
        if (udpLength > present && !cut && !d.firstFragment) {
            // The whole datagram is here and still shorter than UDP claims.
            return BAD_UDP;
        }
        d.udpPayloadOffset = udp + UDP_HEADER_SIZE;
        d.udpPayloadLength = Math.min(udpLength, present) - UDP_HEADER_SIZE;
        d.udpPayloadCut = udpLength > present;
        return UDP;
    }
}
