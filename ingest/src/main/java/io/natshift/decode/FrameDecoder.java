package io.natshift.decode;

import java.util.Arrays;

/**
 * Bytes of one captured frame in, an {@link IkeMessage}, a {@link DecodeResult.Skipped} or a
 * {@link DecodeResult.Rejected} out. No exception leaves {@link #decode} for any input.
 * Pure: knows nothing of pcap libraries or Kafka. One instance per thread (it reuses scratch state).
 */
public final class FrameDecoder {

    //  RFC 3948 2.2 / RFC 3947 4: on the NAT-T port, 4 zero bytes (the non-ESP marker) precede IKE;
    //  a non-zero first word is an ESP SPI; a single 0xFF byte is a NAT-keepalive.
    static final int NON_ESP_MARKER_SIZE = 4;
    static final int NAT_KEEPALIVE = 0xFF;

    private final DecoderConfig config;
    private final Datagram datagram = new Datagram();
    private final PayloadChain chain = new PayloadChain();

    public FrameDecoder(DecoderConfig config) {
        this.config = config;
    }

    public FrameDecoder() {
        this(DecoderConfig.defaults());
    }

    public DecodeResult decode(byte[] frame, int offset, int length, int linkType) {
        if (offset < 0 || length < 0 || offset > frame.length - length) {
            return new DecodeResult.Rejected(RejectReason.TRUNCATED_PACKET,
                    "frame window " + offset + "+" + length + " outside buffer of " + frame.length);
        }
        try {
            return decodeChecked(frame, offset, length, linkType);
        } catch (RuntimeException e) {
            // A bounds check we got wrong must cost one frame, not the capture loop.
            return new DecodeResult.Rejected(RejectReason.NOT_IKE, "decoder fault: " + e);
        }
    }

    private DecodeResult decodeChecked(byte[] b, int offset, int length, int linkType) {
        int end = offset + length;
        int ip = LinkLayer.ipOffset(b, offset, length, linkType);
        switch (ip) {
            case LinkLayer.UNSUPPORTED:
                return new DecodeResult.Rejected(RejectReason.UNSUPPORTED_LINK_TYPE, LinkType.name(linkType));
            case LinkLayer.TRUNCATED:
                return new DecodeResult.Rejected(RejectReason.TRUNCATED_PACKET, "frame of " + length + " bytes ends in the link header");
            case LinkLayer.NOT_IP:
                return DecodeResult.Skipped.NOT_IKE_TRAFFIC;
            default:
                break;
        }
        Datagram d = datagram;
        switch (IpLayer.decode(b, ip, end, d)) {
            case IpLayer.UDP:
                break;
            case IpLayer.NOT_UDP:
                return DecodeResult.Skipped.NOT_IKE_TRAFFIC;
            case IpLayer.LATER_FRAGMENT:
                return DecodeResult.Skipped.IP_FRAGMENT;
            case IpLayer.TRUNCATED:
                // Only frames we can place on an IKE port are worth a rejection; others are not ours.
                return new DecodeResult.Rejected(RejectReason.TRUNCATED_PACKET, "frame of " + length + " bytes ends in the IP or UDP header");
            case IpLayer.BAD_UDP:
                if (!onIkePort(d)) {
                    return DecodeResult.Skipped.NOT_IKE_TRAFFIC;
                }
                return new DecodeResult.Rejected(RejectReason.BAD_UDP_LENGTH, "UDP " + d.srcPort + "->" + d.dstPort + " length field disagrees with the IP datagram");
            default:
                return new DecodeResult.Rejected(RejectReason.BAD_IP_HEADER, "IP header at frame offset " + (ip - offset));
        }
        boolean natTPort = config.isNatTPort(d.srcPort) || config.isNatTPort(d.dstPort);
        boolean ikePort = config.isIkePort(d.srcPort) || config.isIkePort(d.dstPort);
        if (!natTPort && !ikePort) {
            return DecodeResult.Skipped.NOT_IKE_TRAFFIC;
        }
        int ike = d.udpPayloadOffset;
        int available = d.udpPayloadLength;
        // 500 <-> 4500: a NAT may give a UDP 500 flow the public port 4500 (or a 4500 flow port 500),
        // so the ports cannot say which framing it is. The content can: plain IKE starts with the
        // initiator SPI, which is never zero, NAT-T with the 4-byte zero marker.
        boolean natT = natTPort && (!ikePort
                || (available >= NON_ESP_MARKER_SIZE && Bytes.u32(b, ike) == 0)
                || (available == 1 && Bytes.u8(b, ike) == NAT_KEEPALIVE));
        if (natT) {
            if (available == 1 && Bytes.u8(b, ike) == NAT_KEEPALIVE) {
                return DecodeResult.Skipped.NAT_KEEPALIVE;
            }
            if (available < NON_ESP_MARKER_SIZE) {
                return new DecodeResult.Rejected(RejectReason.NOT_IKE, available + " bytes on NAT-T port " + natTPort(d) + " are neither keepalive, ESP nor IKE");
            }
            if (Bytes.u32(b, ike) != 0) {
                return DecodeResult.Skipped.ESP_IN_UDP;
            }
            ike += NON_ESP_MARKER_SIZE;
            available -= NON_ESP_MARKER_SIZE;
        }
        return ike(b, ike, available, natT, length, d);
    }

    private DecodeResult ike(byte[] b, int ike, int available, boolean natT, int frameLength, Datagram d) {
        if (available < IkeHeader.SIZE) {
            return new DecodeResult.Rejected(RejectReason.TRUNCATED_HEADER, available + " bytes, the IKE header needs " + IkeHeader.SIZE);
        }
        int major = IkeHeader.majorVersion(b, ike);
        if (major != 1 && major != 2) {
            return new DecodeResult.Rejected(RejectReason.UNKNOWN_VERSION, "version byte 0x" + Integer.toHexString(Bytes.u8(b, ike + IkeHeader.VERSION_OFFSET)));
        }
        long declared = IkeHeader.length(b, ike);
        if (declared < IkeHeader.SIZE || (declared > available && !d.udpPayloadCut)) {
            return new DecodeResult.Rejected(RejectReason.LENGTH_MISMATCH, "IKE length " + declared + " but UDP carries " + available);
        }
        int flags = IkeHeader.flags(b, ike);
        int nextPayload = IkeHeader.nextPayload(b, ike);
        int presentEnd = ike + (int) Math.min(declared, available);
        if (major == 1 && (flags & IkeHeader.V1_FLAG_ENCRYPTION) != 0) {
            return message(b, ike, d, natT, frameLength, major, flags, nextPayload, declared, true, EMPTY, EMPTY, java.util.List.of(), false, false, -1, -1);
        }
        chain.walk(b, major, nextPayload, ike + IkeHeader.SIZE, ike + declared, presentEnd);
        if (chain.error != null) {
            return new DecodeResult.Rejected(RejectReason.BAD_PAYLOAD_LENGTH, chain.error);
        }
        return message(b, ike, d, natT, frameLength, major, flags, nextPayload, declared, chain.encrypted,
                chain.payloads(), chain.notifyTypes(), chain.vendorIds(), chain.natDetection,
                chain.ikeFragment, chain.fragmentNumber, chain.fragmentTotal);
    }

    private static IkeMessage message(byte[] b, int ike, Datagram d, boolean natT, int frameLength, int major, int flags,
                                      int nextPayload, long declared, boolean encrypted, int[] payloads, int[] notifies,
                                      java.util.List<byte[]> vendorIds, boolean natDetection, boolean ikeFragment,
                                      int fragmentNumber, int fragmentTotal) {
        int addressLength = d.addressLength();
        return new IkeMessage(
                d.ipVersion,
                Arrays.copyOfRange(b, d.srcAddrOffset, d.srcAddrOffset + addressLength),
                d.srcPort,
                Arrays.copyOfRange(b, d.dstAddrOffset, d.dstAddrOffset + addressLength),
                d.dstPort,
                natT,
                IkeHeader.initiatorSpi(b, ike),
                IkeHeader.responderSpi(b, ike),
                major,
                IkeHeader.minorVersion(b, ike),
                IkeHeader.exchangeType(b, ike),
                flags,
                IkeHeader.messageId(b, ike),
                nextPayload,
                declared,
                encrypted,
                payloads,
                notifies,
                vendorIds,
                natDetection,
                d.firstFragment,
                ikeFragment,
                fragmentNumber,
                fragmentTotal,
                frameLength);
    }

    private boolean onIkePort(Datagram d) {
        return config.isNatTPort(d.srcPort) || config.isNatTPort(d.dstPort) || config.isIkePort(d.srcPort) || config.isIkePort(d.dstPort);
    }

    private int natTPort(Datagram d) {
        return config.isNatTPort(d.dstPort) ? d.dstPort : d.srcPort;
    }

    private static final int[] EMPTY = new int[0];
}
