package io.natshift.schemas;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.avro.Schema;

import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.Spi;

/**
 * IkePacket's Avro binary body written and read field by field, in schema order. Avro's own
 * SpecificDatumWriter/Reader walk the schema generically for this class (its timestamp-micros
 * logical type makes the generated class give up its custom coders); this codec is several times
 * faster and produces the same bytes. It handles only the current writer schema: records of older
 * writers still go through Avro's resolving reader (see {@link SingleObjectSerde}).
 *
 * <p>When IkePacket.avsc changes, {@link #FIELDS} no longer matches and the serde refuses to start:
 * add the new field to {@link #write}, {@link #read} and {@link #FIELDS}.
 */
final class IkePacketCodec implements SingleObjectSerde.BodyCodec<IkePacket> {
    private static final int SPI_SIZE = 8;

    /** The schema this codec was written for, one field per entry, as {@link #describe} renders it. */
    static final List<String> FIELDS = List.of(
            "probeId:string",
            "source:string",
            "frame:long",
            "timestampMicros:long(timestamp-micros)",
            "srcAddr:string",
            "srcPort:int",
            "dstAddr:string",
            "dstPort:int",
            "natT:boolean",
            "initiatorSpi:fixed(io.natshift.schemas.avro.Spi,8)",
            "responderSpi:fixed(io.natshift.schemas.avro.Spi,8)",
            "majorVersion:int",
            "minorVersion:int",
            "exchangeType:int",
            "flags:int",
            "messageId:long",
            "nextPayload:int",
            "length:long",
            "encrypted:boolean",
            "payloads:array<int>",
            "notifyTypes:array<int>",
            "vendorIds:array<string>",
            "natDetection:boolean",
            "ipFragment:boolean",
            "ikeFragment:boolean",
            "ikeFragmentNumber:[null,int]",
            "ikeFragmentTotal:[null,int]",
            "frameLength:int",
            "vantage:string");

    IkePacketCodec(Schema schema) {
        List<String> actual = describe(schema);
        if (!actual.equals(FIELDS)) {
            throw new IllegalStateException("IkePacket's schema changed; IkePacketCodec was written for " + FIELDS
                    + " but the generated class has " + actual + ": update the codec's write, read and FIELDS");
        }
    }

    static List<String> describe(Schema record) {
        return record.getFields().stream().map(f -> f.name() + ":" + describeType(f.schema())).collect(Collectors.toList());
    }

    private static String describeType(Schema s) {
        String logical = s.getLogicalType() == null ? "" : "(" + s.getLogicalType().getName() + ")";
        return switch (s.getType()) {
            case UNION -> s.getTypes().stream().map(IkePacketCodec::describeType).collect(Collectors.joining(",", "[", "]"));
            case ARRAY -> "array<" + describeType(s.getElementType()) + ">";
            case MAP -> "map<" + describeType(s.getValueType()) + ">";
            case FIXED -> "fixed(" + s.getFullName() + "," + s.getFixedSize() + ")" + logical;
            case RECORD, ENUM -> s.getType().getName() + "(" + s.getFullName() + ")";
            default -> s.getType().getName() + logical;
        };
    }

    @Override
    public void write(IkePacket p, AvroOut out) {
        out.writeString(p.getProbeId());
        out.writeString(p.getSource());
        out.writeLong(p.getFrame());
        out.writeLong(epochMicros(p.getTimestampMicros()));
        out.writeString(p.getSrcAddr());
        out.writeInt(p.getSrcPort());
        out.writeString(p.getDstAddr());
        out.writeInt(p.getDstPort());
        out.writeBoolean(p.getNatT());
        out.writeFixed(p.getInitiatorSpi().bytes(), SPI_SIZE);
        out.writeFixed(p.getResponderSpi().bytes(), SPI_SIZE);
        out.writeInt(p.getMajorVersion());
        out.writeInt(p.getMinorVersion());
        out.writeInt(p.getExchangeType());
        out.writeInt(p.getFlags());
        out.writeLong(p.getMessageId());
        out.writeInt(p.getNextPayload());
        out.writeLong(p.getLength());
        out.writeBoolean(p.getEncrypted());
        writeInts(p.getPayloads(), out);
        writeInts(p.getNotifyTypes(), out);
        out.writeStrings(p.getVendorIds());
        out.writeBoolean(p.getNatDetection());
        out.writeBoolean(p.getIpFragment());
        out.writeBoolean(p.getIkeFragment());
        writeOptionalInt(p.getIkeFragmentNumber(), out);
        writeOptionalInt(p.getIkeFragmentTotal(), out);
        out.writeInt(p.getFrameLength());
        out.writeString(p.getVantage());
    }

    @Override
    public IkePacket read(AvroIn in) throws IOException {
        IkePacket p = new IkePacket();
        p.setProbeId(in.readString());
        p.setSource(in.readString());
        p.setFrame(in.readLong());
        p.setTimestampMicros(instant(in.readLong()));
        p.setSrcAddr(in.readString());
        p.setSrcPort(in.readInt());
        p.setDstAddr(in.readString());
        p.setDstPort(in.readInt());
        p.setNatT(in.readBoolean());
        p.setInitiatorSpi(new Spi(in.readFixed(SPI_SIZE)));
        p.setResponderSpi(new Spi(in.readFixed(SPI_SIZE)));
        p.setMajorVersion(in.readInt());
        p.setMinorVersion(in.readInt());
        p.setExchangeType(in.readInt());
        p.setFlags(in.readInt());
        p.setMessageId(in.readLong());
        p.setNextPayload(in.readInt());
        p.setLength(in.readLong());
        p.setEncrypted(in.readBoolean());
        p.setPayloads(readInts(in));
        p.setNotifyTypes(readInts(in));
        p.setVendorIds(in.readStrings());
        p.setNatDetection(in.readBoolean());
        p.setIpFragment(in.readBoolean());
        p.setIkeFragment(in.readBoolean());
        p.setIkeFragmentNumber(readOptionalInt(in));
        p.setIkeFragmentTotal(readOptionalInt(in));
        p.setFrameLength(in.readInt());
        p.setVantage(in.readString());
        return p;
    }

    // Avro's TimestampMicrosConversion.toLong, including its overflow checks
    static long epochMicros(Instant instant) {
        long seconds = instant.getEpochSecond();
        int nanos = instant.getNano();
        if (seconds < 0 && nanos > 0) {
            return Math.addExact(Math.multiplyExact(seconds + 1, 1_000_000L), nanos / 1_000L - 1_000_000L);
        }
        return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), nanos / 1_000L);
    }

    // Avro's TimestampMicrosConversion.fromLong
    static Instant instant(long micros) {
        return Instant.ofEpochSecond(micros / 1_000_000L, (micros % 1_000_000L) * 1_000L);
    }

    // as Avro's BinaryEncoder: one block with the count, then the terminating 0; an empty array is just the 0
    private static void writeInts(List<Integer> items, AvroOut out) {
        int size = items.size();
        if (size > 0) {
            out.writeLong(size);
            for (Integer item : items) {
                out.writeInt(item);
            }
        }
        out.writeLong(0);
    }

    // ["null", "int"]: branch 0 is null, branch 1 an int
    private static void writeOptionalInt(Integer value, AvroOut out) {
        if (value == null) {
            out.writeInt(0);
        } else {
            out.writeInt(1);
            out.writeInt(value);
        }
    }

    private static Integer readOptionalInt(AvroIn in) throws IOException {
        return in.readIndex(2) == 0 ? null : in.readInt();
    }

    // other writers (Avro's buffered encoders) may split an array into several blocks
    private static List<Integer> readInts(AvroIn in) throws IOException {
        int count = in.readBlockCount();
        List<Integer> items = new ArrayList<>(count);
        while (count > 0) {
            for (int i = 0; i < count; i++) {
                items.add(in.readInt());
            }
            count = in.readBlockCount();
        }
        return items;
    }
}
