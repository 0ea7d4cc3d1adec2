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
    /** The schema default of IkePacket.vantage; callers that know where the probe sits overwrite it. */
    static final String UNKNOWN_VANTAGE = "unknown";

    private IkeRecords() {
    }

    public static IkePacket toAvro(IkeMessage m, String probeId, String source, long frame, long timestampMicros) {
        // setters rather than the builder: the builder validates and deep-copies every field, a
        // third of the per-packet cost at replay speed; every field is set here
        IkePacket p = new IkePacket();
        p.setProbeId(probeId);
        p.setSource(source);
        p.setFrame(frame);
        p.setTimestampMicros(instant(timestampMicros));
        p.setSrcAddr(m.srcAddrText());
        p.setSrcPort(m.srcPort());
        p.setDstAddr(m.dstAddrText());
        p.setDstPort(m.dstPort());
        p.setNatT(m.natT());
        p.setInitiatorSpi(spi(m.initiatorSpi()));
        p.setResponderSpi(spi(m.responderSpi()));
        p.setMajorVersion(m.majorVersion());
        p.setMinorVersion(m.minorVersion());
        p.setExchangeType(m.exchangeType());
        p.setFlags(m.flags());
        p.setMessageId(m.messageId());
        p.setNextPayload(m.nextPayload());
        p.setLength(m.length());
        p.setEncrypted(m.encrypted());
        p.setPayloads(ints(m.payloads()));
        p.setNotifyTypes(ints(m.notifyTypes()));
        p.setVendorIds(hex(m.vendorIds()));
        p.setNatDetection(m.natDetection());
        p.setIpFragment(m.ipFragment());
        p.setIkeFragment(m.ikeFragment());
        p.setIkeFragmentNumber(m.ikeFragmentNumber() < 0 ? null : m.ikeFragmentNumber());
        p.setIkeFragmentTotal(m.ikeFragmentTotal() < 0 ? null : m.ikeFragmentTotal());
        p.setFrameLength(m.frameLength());
        p.setVantage(UNKNOWN_VANTAGE);
        return p;
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
