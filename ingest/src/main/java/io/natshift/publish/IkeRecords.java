package io.natshift.publish;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.natshift.decode.IkeMessage;
import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.Spi;

/** Maps a decoded message plus where and when it was captured to the IkePacket contract. */
public final class IkeRecords {
    private static final HexFormat HEX = HexFormat.of();

    private IkeRecords() {
    }

    public static IkePacket toAvro(IkeMessage m, String probeId, String source, long frame, long timestampMicros) {
        return IkePacket.newBuilder()
                .setProbeId(probeId)
                .setSource(source)
                .setFrame(frame)
                .setTimestampMicros(instant(timestampMicros))
                .setSrcAddr(m.srcAddrText())
                .setSrcPort(m.srcPort())
                .setDstAddr(m.dstAddrText())
                .setDstPort(m.dstPort())
                .setNatT(m.natT())
                .setInitiatorSpi(spi(m.initiatorSpi()))
                .setResponderSpi(spi(m.responderSpi()))
                .setMajorVersion(m.majorVersion())
                .setMinorVersion(m.minorVersion())
                .setExchangeType(m.exchangeType())
                .setFlags(m.flags())
                .setMessageId(m.messageId())
                .setNextPayload(m.nextPayload())
                .setLength(m.length())
                .setEncrypted(m.encrypted())
                .setPayloads(ints(m.payloads()))
                .setNotifyTypes(ints(m.notifyTypes()))
                .setVendorIds(hex(m.vendorIds()))
                .setNatDetection(m.natDetection())
                .setIpFragment(m.ipFragment())
                .setIkeFragment(m.ikeFragment())
                .setIkeFragmentNumber(m.ikeFragmentNumber() < 0 ? null : m.ikeFragmentNumber())
                .setIkeFragmentTotal(m.ikeFragmentTotal() < 0 ? null : m.ikeFragmentTotal())
                .setFrameLength(m.frameLength())
                .build();
    }

    public static Instant instant(long epochMicros) {
        return Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L), Math.floorMod(epochMicros, 1_000_000L) * 1_000L);
    }

    public static long epochMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000L);
    }

    /** The Kafka key of every IkePacket: the initiator SPI's 8 bytes, so one SA lands on one partition. */
    public static byte[] key(long initiatorSpi) {
        return ByteBuffer.allocate(8).putLong(initiatorSpi).array();
    }

    public static Spi spi(long value) {
        return new Spi(key(value));
    }

    public static long spiValue(Spi spi) {
        return ByteBuffer.wrap(spi.bytes()).getLong();
    }

    /** 16 lowercase hex digits, as every text output renders SPIs. */
    public static String spiHex(long value) {
        return HEX.toHexDigits(value);
    }

    private static List<Integer> ints(int[] values) {
        List<Integer> list = new ArrayList<>(values.length);
        for (int v : values) {
            list.add(v);
        }
        return list;
    }

    private static List<String> hex(List<byte[]> values) {
        List<String> list = new ArrayList<>(values.size());
        for (byte[] v : values) {
            list.add(HEX.formatHex(v));
        }
        return list;
    }
}
