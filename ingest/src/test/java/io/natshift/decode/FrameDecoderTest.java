package io.natshift.decode;

import static io.natshift.decode.TestFrames.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private static final long ISPI = 0x44A81E8F3CE968DCL;
    private static final long RSPI = 0xC067353F5DE37295L;

    private final FrameDecoder decoder = new FrameDecoder();

    private DecodeResult decode(byte[] frame, int linkType) {
        return decoder.decode(frame, 0, frame.length, linkType);
    }

    private IkeMessage decoded(byte[] frame, int linkType) {
        DecodeResult r = decode(frame, linkType);
        assertThat(r).isInstanceOf(IkeMessage.class);
        return (IkeMessage) r;
    }

    private RejectReason rejection(byte[] frame, int linkType) {
        DecodeResult r = decode(frame, linkType);
        assertThat(r).isInstanceOf(DecodeResult.Rejected.class);
        return ((DecodeResult.Rejected) r).reason();
    }

    @Test
    void shouldDecodeHeaderFieldsAndPayloadChainOfAggressiveModeOnUdp500() {
        IkeMessage m = decoded(ethernetIpv4Udp(500, 500, aggressiveModeFirst(ISPI)), LinkType.ETHERNET);

        assertThat(m.srcAddrText()).isEqualTo("198.51.100.7");
        assertThat(m.dstAddrText()).isEqualTo("203.0.113.76");
        assertThat(m.srcPort()).isEqualTo(500);
        assertThat(m.natT()).isFalse();
        assertThat(m.initiatorSpi()).isEqualTo(ISPI);
        assertThat(m.responderSpi()).isZero();
        assertThat(m.majorVersion()).isEqualTo(1);
        assertThat(m.minorVersion()).isZero();
        assertThat(m.exchangeType()).isEqualTo(4);
        assertThat(m.payloads()).containsExactly(1, 4, 10, 5, 13, 20, 20);
        assertThat(m.natDetection()).isTrue();
        assertThat(m.vendorIds()).hasSize(1);
        assertThat(HexFormat.of().formatHex(m.vendorIds().get(0))).isEqualTo("4a131c81070358455c5728f20e95452f");
        assertThat(m.encrypted()).isFalse();
        assertThat(m.ipFragment()).isFalse();
        assertThat(m.length()).isEqualTo(aggressiveModeFirst(ISPI).length);
    }

    @Test
    void shouldDecodeIkeBehindNonEspMarkerOnUdp4500AsNatT() {
        byte[] ike = TestFrames.ike(ISPI, RSPI, 0x10, 4, 0x01, 0, 8, new byte[60]);
        IkeMessage m = decoded(ethernetIpv4Udp(4500, 4500, natT(ike)), LinkType.ETHERNET);

        assertThat(m.natT()).isTrue();
        assertThat(m.responderSpi()).isEqualTo(RSPI);
        assertThat(m.encrypted()).isTrue();
        assertThat(m.payloads()).isEmpty();
        assertThat(m.nextPayload()).isEqualTo(8);
    }

    @Test
    void shouldKeepUnknownNextPayloadOfEncryptedInformationalAsValue() {
        // Incident packets 20/21: encrypted informational whose next payload Wireshark shows as unknown.
        byte[] ike = TestFrames.ike(ISPI, RSPI, 0x10, 5, 0x01, 0x7e3a91c4L, 0xA3, new byte[76]);
        IkeMessage m = decoded(ethernetIpv4Udp(4500, 4500, natT(ike)), LinkType.ETHERNET);

        assertThat(m.nextPayload()).isEqualTo(0xA3);
        assertThat(m.exchangeType()).isEqualTo(5);
        assertThat(m.messageId()).isEqualTo(0x7e3a91c4L);
    }

    @Test
    void shouldTellPlainFromNatTFramingByMarkerWhenOnePortIs500AndTheOther4500() {
        // a NAT gave the subscriber's UDP 500 flow the public port 4500
        IkeMessage plain = decoded(ethernetIpv4Udp(4500, 500, aggressiveModeFirst(ISPI)), LinkType.ETHERNET);
        assertThat(plain.natT()).isFalse();
        assertThat(plain.initiatorSpi()).isEqualTo(ISPI);
        // and its UDP 4500 flow the public port 500
        byte[] ike = TestFrames.ike(ISPI, RSPI, 0x10, 4, 0x01, 0, 8, new byte[60]);
        IkeMessage floated = decoded(ethernetIpv4Udp(500, 4500, natT(ike)), LinkType.ETHERNET);
        assertThat(floated.natT()).isTrue();
        assertThat(floated.responderSpi()).isEqualTo(RSPI);
        assertThat(decode(ethernetIpv4Udp(500, 4500, new byte[] {(byte) 0xFF}), LinkType.ETHERNET))
                .isEqualTo(new DecodeResult.Skipped(SkipReason.NAT_KEEPALIVE));
    }

    @Test
    void shouldCountSingleFfByteOn4500AsNatKeepalive() {
        assertThat(decode(ethernetIpv4Udp(4500, 4500, new byte[] {(byte) 0xFF}), LinkType.ETHERNET))
                .isEqualTo(new DecodeResult.Skipped(SkipReason.NAT_KEEPALIVE));
    }

    @Test
    void shouldNeverEmitEspInUdpAsIke() {
        byte[] esp = ByteBuffer.allocate(64).putInt(0x0000_1001).putInt(7).array();
        assertThat(decode(ethernetIpv4Udp(4500, 4500, esp), LinkType.ETHERNET))
                .isEqualTo(new DecodeResult.Skipped(SkipReason.ESP_IN_UDP));
    }

    @Test
    void shouldRejectShortNonKeepalivePayloadOn4500AsNotIke() {
        assertThat(rejection(ethernetIpv4Udp(4500, 4500, new byte[] {0, 0}), LinkType.ETHERNET)).isEqualTo(RejectReason.NOT_IKE);
    }

    @Test
    void shouldSkipUdpOnOtherPortsAndNonUdp() {
        assertThat(decode(ethernetIpv4Udp(2012, 2012, new byte[40]), LinkType.ETHERNET))
                .isEqualTo(new DecodeResult.Skipped(SkipReason.NOT_IKE_TRAFFIC));
        byte[] tcp = ethernet(0x0800, ipv4(CLIENT, GATEWAY, 6, new byte[40]));
        assertThat(decode(tcp, LinkType.ETHERNET)).isEqualTo(new DecodeResult.Skipped(SkipReason.NOT_IKE_TRAFFIC));
        byte[] arp = ethernet(0x0806, new byte[28]);
        assertThat(decode(arp, LinkType.ETHERNET)).isEqualTo(new DecodeResult.Skipped(SkipReason.NOT_IKE_TRAFFIC));
    }

    @Test
    void shouldDecodeExtraConfiguredIkePort() {
        FrameDecoder custom = new FrameDecoder(new DecoderConfig(List.of(500, 10500), List.of(4500)));
        byte[] frame = ethernetIpv4Udp(10500, 10500, aggressiveModeFirst(ISPI));
        assertThat(custom.decode(frame, 0, frame.length, LinkType.ETHERNET)).isInstanceOf(IkeMessage.class);
        assertThat(decode(frame, LinkType.ETHERNET)).isEqualTo(new DecodeResult.Skipped(SkipReason.NOT_IKE_TRAFFIC));
    }

    // ---- link layers

    @Test
    void shouldDecodeThroughSingleAndDoubleVlanTags() {
        byte[] ip = ipv4(CLIENT, GATEWAY, 17, udp(500, 500, aggressiveModeFirst(ISPI)));
        assertThat(decoded(ethernet(0x0800, ip, 0x8100), LinkType.ETHERNET).initiatorSpi()).isEqualTo(ISPI);
        assertThat(decoded(ethernet(0x0800, ip, 0x88A8, 0x8100), LinkType.ETHERNET).initiatorSpi()).isEqualTo(ISPI);
    }

    @Test
    void shouldDecodeLinuxCookedV1AndV2() {
        byte[] ip = ipv4(CLIENT, GATEWAY, 17, udp(500, 500, aggressiveModeFirst(ISPI)));
        byte[] sll = concat(ByteBuffer.allocate(16).putShort((short) 0).putShort((short) 1).putShort((short) 6)
                .put(new byte[8]).putShort((short) 0x0800).array(), ip);
        assertThat(decoded(sll, LinkType.LINUX_SLL).srcAddrText()).isEqualTo("198.51.100.7");
        byte[] sll2 = concat(ByteBuffer.allocate(20).putShort((short) 0x0800).putShort((short) 0).putInt(3)
                .putShort((short) 1).put((byte) 0).put((byte) 6).put(new byte[8]).array(), ip);
        assertThat(decoded(sll2, LinkType.LINUX_SLL2).srcAddrText()).isEqualTo("198.51.100.7");
    }

    @Test
    void shouldDecodeRawIpv4AndIpv6() {
        byte[] v4 = ipv4(CLIENT, GATEWAY, 17, udp(500, 500, aggressiveModeFirst(ISPI)));
        assertThat(decoded(v4, LinkType.RAW).dstAddrText()).isEqualTo("203.0.113.76");
        assertThat(decoded(v4, LinkType.IPV4).dstAddrText()).isEqualTo("203.0.113.76");
        byte[] v6 = ipv6(CLIENT6, GATEWAY6, 17, udp(500, 500, aggressiveModeFirst(ISPI)));
        IkeMessage m = decoded(v6, LinkType.RAW);
        assertThat(m.ipVersion()).isEqualTo(6);
        assertThat(m.srcAddrText()).isEqualTo("2001:db8::7");
        assertThat(m.dstAddrText()).isEqualTo("2001:db8::4c");
    }

    @Test
    void shouldDecodeBsdLoopbackInEitherByteOrder() {
        byte[] ip = ipv4(CLIENT, GATEWAY, 17, udp(500, 500, aggressiveModeFirst(ISPI)));
        assertThat(decoded(concat(new byte[] {2, 0, 0, 0}, ip), LinkType.NULL).initiatorSpi()).isEqualTo(ISPI);
        assertThat(decoded(concat(new byte[] {0, 0, 0, 2}, ip), LinkType.LOOP).initiatorSpi()).isEqualTo(ISPI);
        byte[] ip6 = ipv6(CLIENT6, GATEWAY6, 17, udp(500, 500, aggressiveModeFirst(ISPI)));
        assertThat(decoded(concat(new byte[] {30, 0, 0, 0}, ip6), LinkType.NULL).ipVersion()).isEqualTo(6);
    }

    @Test
    void shouldRejectUnsupportedLinkTypeByName() {
        DecodeResult r = decode(new byte[64], 147);
        assertThat(r).isEqualTo(new DecodeResult.Rejected(RejectReason.UNSUPPORTED_LINK_TYPE, "LINKTYPE_147"));
    }

    // ---- IP details

    @Test
    void shouldSkipIpv4OptionsToReachUdp() {
        byte[] ip = ipv4(CLIENT, GATEWAY, 17, 0, new byte[] {1, 1, 1, 0}, udp(500, 500, aggressiveModeFirst(ISPI)));
        assertThat(decoded(ethernet(0x0800, ip), LinkType.ETHERNET).initiatorSpi()).isEqualTo(ISPI);
    }

    @Test
    void shouldIgnoreEthernetPaddingBeyondIpTotalLength() {
        byte[] frame = concat(ethernetIpv4Udp(500, 500, aggressiveModeFirst(ISPI)), new byte[18]);
        assertThat(decoded(frame, LinkType.ETHERNET).length()).isEqualTo(aggressiveModeFirst(ISPI).length);
    }

    @Test
    void shouldWalkIpv6ExtensionHeadersToUdp() {
        byte[] udp = udp(500, 500, aggressiveModeFirst(ISPI));
        byte[] hopByHop = concat(new byte[] {60, 0, 1, 4, 0, 0, 0, 0});           // -> destination options
        byte[] destination = concat(new byte[] {17, 1}, new byte[14]);            // 16 bytes -> UDP
        byte[] v6 = ipv6(CLIENT6, GATEWAY6, 0, concat(hopByHop, destination, udp));
        assertThat(decoded(v6, LinkType.RAW).initiatorSpi()).isEqualTo(ISPI);
    }

    @Test
    void shouldDecodeFirstIpv4FragmentWithCompleteIkeHeaderAndFlagIt() {
        byte[] ike = aggressiveModeFirst(ISPI);
        byte[] udp = udp(500, 500, ike);
        byte[] firstPart = java.util.Arrays.copyOf(udp, 8 + 100);  // cut inside the KE payload
        byte[] frame = ethernet(0x0800, ipv4(CLIENT, GATEWAY, 17, 0x2000, new byte[0], firstPart));

        IkeMessage m = decoded(frame, LinkType.ETHERNET);

        assertThat(m.ipFragment()).isTrue();
        assertThat(m.length()).isEqualTo(ike.length);
        assertThat(m.payloads()).startsWith(1, 4);
    }

    @Test
    void shouldCountLaterIpv4FragmentsWithoutDecoding() {
        byte[] frame = ethernet(0x0800, ipv4(CLIENT, GATEWAY, 17, 0x0000 | 185, new byte[0], new byte[200]));
        assertThat(decode(frame, LinkType.ETHERNET)).isEqualTo(new DecodeResult.Skipped(SkipReason.IP_FRAGMENT));
    }

    @Test
    void shouldDecodeFirstIpv6FragmentAndSkipLaterOnes() {
        byte[] udp = udp(500, 500, aggressiveModeFirst(ISPI));
        byte[] first = concat(new byte[] {17, 0, 0, 1, 0, 0, 0, 9}, java.util.Arrays.copyOf(udp, 80));
        assertThat(decoded(ipv6(CLIENT6, GATEWAY6, 44, first), LinkType.RAW).ipFragment()).isTrue();
        byte[] later = concat(new byte[] {17, 0, 0, (byte) 0xA8, 0, 0, 0, 9}, new byte[40]);
        assertThat(decode(ipv6(CLIENT6, GATEWAY6, 44, later), LinkType.RAW)).isEqualTo(new DecodeResult.Skipped(SkipReason.IP_FRAGMENT));
    }

    // ---- malformed input, each with its reason

    @Test
    void shouldRejectFrameEndingInsideIpHeaderAsTruncatedPacket() {
        byte[] frame = java.util.Arrays.copyOf(ethernetIpv4Udp(500, 500, aggressiveModeFirst(ISPI)), 14 + 12);
        assertThat(rejection(frame, LinkType.ETHERNET)).isEqualTo(RejectReason.TRUNCATED_PACKET);
    }

    @Test
    void shouldRejectEthernetFrameShorterThanItsHeader() {
        assertThat(rejection(new byte[10], LinkType.ETHERNET)).isEqualTo(RejectReason.TRUNCATED_PACKET);
    }

    @Test
    void shouldRejectIpv4HeaderWithIhlBelowFive() {
        byte[] ip = ipv4(CLIENT, GATEWAY, 17, udp(500, 500, aggressiveModeFirst(ISPI)));
        ip[0] = 0x44;
        assertThat(rejection(ip, LinkType.RAW)).isEqualTo(RejectReason.BAD_IP_HEADER);
    }

    @Test
    void shouldRejectUdpLengthLongerThanCompleteDatagram() {
        byte[] udp = udp(500, 500, aggressiveModeFirst(ISPI));
        udp[4] = (byte) 0x7F;
        assertThat(rejection(ipv4(CLIENT, GATEWAY, 17, udp), LinkType.RAW)).isEqualTo(RejectReason.BAD_UDP_LENGTH);
    }

    @Test
    void shouldRejectUdpPayloadShorterThanIkeHeader() {
        assertThat(rejection(ethernetIpv4Udp(500, 500, new byte[27]), LinkType.ETHERNET)).isEqualTo(RejectReason.TRUNCATED_HEADER);
        assertThat(rejection(ethernetIpv4Udp(4500, 4500, new byte[4 + 20]), LinkType.ETHERNET)).isEqualTo(RejectReason.TRUNCATED_HEADER);
    }

    @Test
    void shouldRejectMajorVersionOtherThanOneOrTwo() {
        byte[] ike = aggressiveModeFirst(ISPI);
        ike[17] = (byte) 0xbe;
        DecodeResult r = decode(ethernetIpv4Udp(500, 500, ike), LinkType.ETHERNET);
        assertThat(r).isEqualTo(new DecodeResult.Rejected(RejectReason.UNKNOWN_VERSION, "version byte 0xbe"));
    }

    @Test
    void shouldRejectIkeLengthBelowHeaderOrBeyondDatagram() {
        byte[] ike = aggressiveModeFirst(ISPI);
        ByteBuffer.wrap(ike).putInt(24, 20);
        assertThat(rejection(ethernetIpv4Udp(500, 500, ike), LinkType.ETHERNET)).isEqualTo(RejectReason.LENGTH_MISMATCH);
        ByteBuffer.wrap(ike).putInt(24, ike.length + 1);
        assertThat(rejection(ethernetIpv4Udp(500, 500, ike), LinkType.ETHERNET)).isEqualTo(RejectReason.LENGTH_MISMATCH);
    }

    @Test
    void shouldRejectPayloadLengthBelowFour() {
        byte[] ike = TestFrames.ike(ISPI, 0, 0x20, 34, 0x08, 0, 33, payload(34, new byte[8]), payload(0, new byte[8]));
        ByteBuffer.wrap(ike).putShort(28 + 2, (short) 3);
        assertThat(rejection(ethernetIpv4Udp(500, 500, ike), LinkType.ETHERNET)).isEqualTo(RejectReason.BAD_PAYLOAD_LENGTH);
    }

    @Test
    void shouldRejectPayloadRunningPastMessageEnd() {
        byte[] ike = TestFrames.ike(ISPI, 0, 0x20, 34, 0x08, 0, 33, payload(34, new byte[8]), payload(0, new byte[8]));
        ByteBuffer.wrap(ike).putShort(28 + 12 + 2, (short) 200);
        assertThat(rejection(ethernetIpv4Udp(500, 500, ike), LinkType.ETHERNET)).isEqualTo(RejectReason.BAD_PAYLOAD_LENGTH);
    }

    @Test
    void shouldNotLoopOnZeroLengthPayloadPointingAtItself() {
        byte[] ike = TestFrames.ike(ISPI, 0, 0x10, 2, 0, 0, 1, payload(1, new byte[0]));
        ByteBuffer.wrap(ike).putShort(28 + 2, (short) 0);
        assertThat(rejection(ethernetIpv4Udp(500, 500, ike), LinkType.ETHERNET)).isEqualTo(RejectReason.BAD_PAYLOAD_LENGTH);
    }

    @Test
    void shouldAcceptChainEndingAtMessageEndWithoutNoneTerminator() {
        // Seen from real stacks (tcpdump test isakmp-no-none-np): last payload names a next one, message ends.
        byte[] ike = TestFrames.ike(0, 0, 0x10, 5, 0, 0x5f724dc6L, 11, payload(13, new byte[8]));
        IkeMessage m = decoded(ethernetIpv4Udp(500, 500, ike), LinkType.ETHERNET);
        assertThat(m.payloads()).containsExactly(11);
    }

    @Test
    void shouldNeverThrowOnRandomBytes() {
        java.util.Random random = new java.util.Random(42);
        byte[] base = ethernetIpv4Udp(500, 500, aggressiveModeFirst(ISPI));
        for (int i = 0; i < 200_000; i++) {
            byte[] frame = base.clone();
            int flips = 1 + random.nextInt(8);
            for (int f = 0; f < flips; f++) {
                frame[random.nextInt(frame.length)] = (byte) random.nextInt(256);
            }
            int length = random.nextInt(frame.length + 1);
            DecodeResult r = decoder.decode(frame, 0, length, random.nextBoolean() ? LinkType.ETHERNET : LinkType.RAW);
            assertThat(r).isNotNull();
            if (r instanceof DecodeResult.Rejected rejected) {
                assertThat(rejected.detail()).doesNotStartWith("decoder fault");
            }
        }
    }

    // ---- IKEv2 specifics

    @Test
    void shouldCollectIkev2NotifyTypesAndNatDetection() {
        byte[] nNatSrc = ByteBuffer.allocate(24).put((byte) 0).put((byte) 0).putShort((short) 16388).array();
        byte[] nNatDst = ByteBuffer.allocate(24).put((byte) 0).put((byte) 0).putShort((short) 16389).array();
        byte[] ike = ike(ISPI, 0, 0x20, 34, 0x08, 0, 33,
                payload(34, new byte[40]), payload(40, new byte[132]), payload(41, new byte[32]),
                payload(41, nNatSrc), payload(43, nNatDst), payload(0, new byte[16]));
        IkeMessage m = decoded(ethernetIpv4Udp(500, 500, ike), LinkType.ETHERNET);
        assertThat(m.payloads()).containsExactly(33, 34, 40, 41, 41, 43);
        assertThat(m.notifyTypes()).containsExactly(16388, 16389);
        assertThat(m.natDetection()).isTrue();
        assertThat(m.vendorIds()).hasSize(1);
    }

    @Test
    void shouldStopAtEncryptedPayloadAndMarkEncrypted() {
        byte[] ike = TestFrames.ike(ISPI, RSPI, 0x20, 35, 0x08, 1, 46, payload(35, new byte[100]));
        IkeMessage m = decoded(ethernetIpv4Udp(4500, 4500, natT(ike)), LinkType.ETHERNET);
        assertThat(m.payloads()).containsExactly(46);
        assertThat(m.encrypted()).isTrue();
        assertThat(m.ikeFragment()).isFalse();
    }

    @Test
    void shouldReadFragmentNumberAndTotalOfIkev2Skf() {
        byte[] skf = ByteBuffer.allocate(60).putShort((short) 2).putShort((short) 3).array();
        byte[] ike = TestFrames.ike(ISPI, RSPI, 0x20, 35, 0x08, 1, 53, payload(35, skf));
        IkeMessage m = decoded(ethernetIpv4Udp(4500, 4500, natT(ike)), LinkType.ETHERNET);
        assertThat(m.ikeFragment()).isTrue();
        assertThat(m.ikeFragmentNumber()).isEqualTo(2);
        assertThat(m.ikeFragmentTotal()).isEqualTo(3);
        assertThat(m.encrypted()).isTrue();
    }

    @Test
    void shouldReadIkev1FragmentNumberAndTotalOnlyOnLastFragment() {
        byte[] middle = ByteBuffer.allocate(40).putShort((short) 1).put((byte) 2).put((byte) 0).array();
        IkeMessage m = decoded(ethernetIpv4Udp(4500, 4500, natT(ike(ISPI, RSPI, 0x10, 4, 0, 0, 132, payload(0, middle)))), LinkType.ETHERNET);
        assertThat(m.ikeFragment()).isTrue();
        assertThat(m.ikeFragmentNumber()).isEqualTo(2);
        assertThat(m.ikeFragmentTotal()).isEqualTo(-1);
        byte[] last = ByteBuffer.allocate(40).putShort((short) 1).put((byte) 3).put((byte) 1).array();
        m = decoded(ethernetIpv4Udp(4500, 4500, natT(ike(ISPI, RSPI, 0x10, 4, 0, 0, 132, payload(0, last)))), LinkType.ETHERNET);
        assertThat(m.ikeFragmentTotal()).isEqualTo(3);
    }

    @Test
    void shouldCollectIkev1NotifyType() {
        byte[] n = ByteBuffer.allocate(12).putInt(1).put((byte) 1).put((byte) 0).putShort((short) 14).array();
        IkeMessage m = decoded(ethernetIpv4Udp(500, 500, ike(ISPI, RSPI, 0x10, 5, 0, 0x1234, 11, payload(0, n))), LinkType.ETHERNET);
        assertThat(m.notifyTypes()).containsExactly(14);
    }
}
