package io.natshift.decode;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Hand-built frames for decoder tests: each layer is written the way the RFC draws it. */
public final class TestFrames {
    public static final byte[] CLIENT = {(byte) 198, 51, 100, 7};
    public static final byte[] GATEWAY = {(byte) 203, 0, 113, 76};
    public static final byte[] CLIENT6 = bytes6("20010db8000000000000000000000007");
    public static final byte[] GATEWAY6 = bytes6("20010db800000000000000000000004c");

    private TestFrames() {
    }

    public static byte[] bytes6(String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }

    /** IKE header + payload bytes. */
    public static ByteBuffer ikeHeader(long ispi, long rspi, int next, int version, int exchange, int flags, long msgId, int length) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putLong(ispi).putLong(rspi).put((byte) next).put((byte) version).put((byte) exchange).put((byte) flags)
                .putInt((int) msgId).putInt(length);
        return b;
    }

    /** One generic payload: next | reserved | length | body. */
    public static byte[] payload(int next, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(4 + body.length);
        b.put((byte) next).put((byte) 0).putShort((short) (4 + body.length)).put(body);
        return b.array();
    }

    public static byte[] ike(long ispi, long rspi, int version, int exchange, int flags, long msgId, int firstPayload, byte[]... payloads) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : payloads) {
            body.writeBytes(p);
        }
        int length = 28 + body.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ikeHeader(ispi, rspi, firstPayload, version, exchange, flags, msgId, length).array());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    public static byte[] udp(int src, int dst, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) src).putShort((short) dst).putShort((short) (8 + payload.length)).putShort((short) 0).put(payload);
        return b.array();
    }

    public static byte[] natT(byte[] ike) {
        byte[] out = new byte[4 + ike.length];
        System.arraycopy(ike, 0, out, 4, ike.length);
        return out;
    }

    public static byte[] ipv4(byte[] src, byte[] dst, int protocol, byte[] payload) {
        return ipv4(src, dst, protocol, 0, new byte[0], payload);
    }

    public static byte[] ipv4(byte[] src, byte[] dst, int protocol, int flagsAndOffset, byte[] options, byte[] payload) {
        int headerLength = 20 + options.length;
        ByteBuffer b = ByteBuffer.allocate(headerLength + payload.length);
        b.put((byte) (0x40 | headerLength / 4)).put((byte) 0).putShort((short) (headerLength + payload.length))
                .putShort((short) 0x1234).putShort((short) flagsAndOffset).put((byte) 64).put((byte) protocol)
                .putShort((short) 0).put(src).put(dst).put(options).put(payload);
        return b.array();
    }

    public static byte[] ipv6(byte[] src, byte[] dst, int nextHeader, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        b.putInt(0x60000000).putShort((short) payload.length).put((byte) nextHeader).put((byte) 64).put(src).put(dst).put(payload);
        return b.array();
    }

    public static byte[] ethernet(int etherType, byte[] payload, int... vlanTpids) {
        ByteBuffer b = ByteBuffer.allocate(14 + 4 * vlanTpids.length + payload.length);
        b.put(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        for (int tpid : vlanTpids) {
            b.putShort((short) tpid).putShort((short) 100);
        }
        b.putShort((short) etherType).put(payload);
        return b.array();
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * An IKEv1 aggressive-mode message with payloads SA, KE, Nonce, ID, VID (RFC 3947), NAT-D, NAT-D.
     * Each payload() names the type of the payload after it, as the wire does.
     */
    public static byte[] aggressiveModeFirst(long ispi) {
        return ike(ispi, 0, 0x10, 4, 0, 0, 1,
                payload(4, new byte[40]),                                   // SA, then KE
                payload(10, new byte[128]),                                 // KE, then Nonce
                payload(5, new byte[20]),                                   // Nonce, then ID
                payload(13, new byte[8]),                                   // ID, then VID
                payload(20, hexBytes("4a131c81070358455c5728f20e95452f")),  // VID, then NAT-D
                payload(20, new byte[20]),                                  // NAT-D, then NAT-D
                payload(0, new byte[20]));                                  // NAT-D, end
    }

    public static byte[] hexBytes(String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }

    public static byte[] ethernetIpv4Udp(int srcPort, int dstPort, byte[] udpPayload) {
        return ethernet(0x0800, ipv4(CLIENT, GATEWAY, 17, udp(srcPort, dstPort, udpPayload)));
    }
}
