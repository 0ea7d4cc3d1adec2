package io.natshift.synth;

/**
 * Builds Ethernet II frames carrying IPv4 or IPv6 with UDP or TCP, checksums filled in, into one
 * reusable buffer (so writing a frame allocates nothing). Not thread-safe.
 * <pre>
 * Ethernet: dst MAC (6) | src MAC (6) | EtherType (2)
 * IPv4 (RFC 791): ver/IHL | TOS | total length (2) | id (2) | flags/fragment (2) | TTL | proto | checksum (2) | src (4) | dst (4)
 * IPv6 (RFC 8200): ver/class/flow (4) | payload length (2) | next header | hop limit | src (16) | dst (16)
 * UDP (RFC 768): src port (2) | dst port (2) | length (2) | checksum (2)
 * TCP (RFC 9293): ports (4) | seq (4) | ack (4) | offset/flags (2) | window (2) | checksum (2) | urgent (2)
 * </pre>
 */
public final class Frames {
    public static final int ETHERNET_HEADER_SIZE = 14;
    public static final int IPV4_HEADER_SIZE = 20;
    public static final int IPV6_HEADER_SIZE = 40;
    public static final int UDP_HEADER_SIZE = 8;
    public static final int TCP_HEADER_SIZE = 20;
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86DD;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;
    static final int PROTO_ESP = 50;

    public static final int TCP_FIN = 0x01;
    public static final int TCP_SYN = 0x02;
    public static final int TCP_PSH = 0x08;
    public static final int TCP_ACK = 0x10;

    private byte[] frame = new byte[2048];
    private int length;
    private int ipId;

    public byte[] frame() {
        return frame;
    }

    public int length() {
        return length;
    }

    /** One UDP datagram; {@code ttl} lets a frame look like it crossed the Internet (seen outside) or not. */
    public void udp(Endpoint src, Endpoint dst, int ttl, byte[] payload, int off, int len) {
        udp(src, dst, ttl, payload, off, len, true);
    }

    /**
     * @param checksum false sends UDP checksum 0 (IPv4 only), as RFC 3948 3.1.2 says ESP-in-UDP senders should
     */
    public void udp(Endpoint src, Endpoint dst, int ttl, byte[] payload, int off, int len, boolean checksum) {
        int l4 = ipHeader(src, dst, ttl, PROTO_UDP, UDP_HEADER_SIZE + len);
        byte[] f = frame;
        put16(f, l4, src.port());
        put16(f, l4 + 2, dst.port());
        put16(f, l4 + 4, UDP_HEADER_SIZE + len);
        put16(f, l4 + 6, 0);
        System.arraycopy(payload, off, f, l4 + UDP_HEADER_SIZE, len);
        if (!checksum && !src.isIpv6()) {
            return;
        }
        int sum = transportChecksum(src, dst, PROTO_UDP, l4, UDP_HEADER_SIZE + len);
        put16(f, l4 + 6, sum == 0 ? 0xFFFF : sum); // RFC 768: a computed 0 is sent as all ones
    }

    /** ESP straight on IP (RFC 4303), as a peer without NAT between it and the gateway sends it. */
    public void esp(Endpoint src, Endpoint dst, int ttl, byte[] payload, int off, int len) {
        int l4 = ipHeader(src, dst, ttl, PROTO_ESP, len);
        System.arraycopy(payload, off, frame, l4, len);
    }

    public void tcp(Endpoint src, Endpoint dst, int ttl, long seq, long ack, int flags, byte[] payload, int off, int len) {
        int l4 = ipHeader(src, dst, ttl, PROTO_TCP, TCP_HEADER_SIZE + len);
        byte[] f = frame;
        put16(f, l4, src.port());
        put16(f, l4 + 2, dst.port());
        put32(f, l4 + 4, seq);
        put32(f, l4 + 8, (flags & TCP_ACK) != 0 ? ack : 0);
        f[l4 + 12] = (byte) ((TCP_HEADER_SIZE / 4) << 4);
        f[l4 + 13] = (byte) flags;
        put16(f, l4 + 14, 64240);
        put16(f, l4 + 16, 0);
        put16(f, l4 + 18, 0);
        System.arraycopy(payload, off, f, l4 + TCP_HEADER_SIZE, len);
        put16(f, l4 + 16, transportChecksum(src, dst, PROTO_TCP, l4, TCP_HEADER_SIZE + len));
    }

    private int ipHeader(Endpoint src, Endpoint dst, int ttl, int protocol, int l4Length) {
        boolean v6 = src.isIpv6();
        if (v6 != dst.isIpv6()) {
            throw new IllegalArgumentException("mixed address families " + src + " -> " + dst);
        }
        int ipHeader = v6 ? IPV6_HEADER_SIZE : IPV4_HEADER_SIZE;
        length = ETHERNET_HEADER_SIZE + ipHeader + l4Length;
        if (length > frame.length) {
            frame = new byte[Math.max(length, frame.length * 2)];
        }
        byte[] f = frame;
        mac(f, 0, dst.address());
        mac(f, 6, src.address());
        put16(f, 12, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
        int ip = ETHERNET_HEADER_SIZE;
        if (v6) {
            put32(f, ip, 0x60000000L);
            put16(f, ip + 4, l4Length);
            f[ip + 6] = (byte) protocol;
            f[ip + 7] = (byte) ttl;
            System.arraycopy(src.address(), 0, f, ip + 8, 16);
            System.arraycopy(dst.address(), 0, f, ip + 24, 16);
        } else {
            f[ip] = 0x45;
            f[ip + 1] = 0;
            put16(f, ip + 2, IPV4_HEADER_SIZE + l4Length);
            put16(f, ip + 4, ipId = (ipId + 1) & 0xFFFF);
            put16(f, ip + 6, 0);
            f[ip + 8] = (byte) ttl;
            f[ip + 9] = (byte) protocol;
            put16(f, ip + 10, 0);
            System.arraycopy(src.address(), 0, f, ip + 12, 4);
            System.arraycopy(dst.address(), 0, f, ip + 16, 4);
            put16(f, ip + 10, fold(sum(f, ip, IPV4_HEADER_SIZE, 0)));
        }
        return ip + ipHeader;
    }

    private int transportChecksum(Endpoint src, Endpoint dst, int protocol, int l4, int l4Length) {
        long s = sum(src.address(), 0, src.address().length, 0);
        s = sum(dst.address(), 0, dst.address().length, s);
        s += protocol + l4Length;
        return fold(sum(frame, l4, l4Length, s));
    }

    private static long sum(byte[] b, int off, int len, long acc) {
        int i = off;
        int end = off + len;
        for (; i + 3 < end; i += 4) {
            acc += (((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF)) + (((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF));
        }
        for (; i + 1 < end; i += 2) {
            acc += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        }
        if (i < end) {
            acc += (b[i] & 0xFF) << 8;
        }
        return acc;
    }

    private static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) (~s & 0xFFFF);
    }

    /** A locally administered MAC derived from the IP address, so each host keeps one MAC. */
    private static void mac(byte[] f, int at, byte[] ip) {
        f[at] = 0x02;
        f[at + 1] = 0x00;
        int n = ip.length;
        f[at + 2] = ip[n - 4];
        f[at + 3] = ip[n - 3];
        f[at + 4] = ip[n - 2];
        f[at + 5] = ip[n - 1];
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static void put32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
