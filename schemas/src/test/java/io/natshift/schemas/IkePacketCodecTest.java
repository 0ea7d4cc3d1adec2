package io.natshift.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.Spi;

class IkePacketCodecTest {
    private static final int PACKETS = 3_000;
    private static final int[] EXTREME_INTS = {0, 1, -1, 63, 64, -64, -65, 127, 128, 8191, 8192, Integer.MAX_VALUE, Integer.MIN_VALUE};
    private static final long[] EXTREME_LONGS = {0, 1, -1, 63, 64, -65, 4_294_967_295L, Long.MAX_VALUE, Long.MIN_VALUE,
            Integer.MAX_VALUE + 1L, Integer.MIN_VALUE - 1L};
    private static final String[] STRINGS = {"", "a", "198.51.100.7", "2001:db8::1", "probe-é", "ünïcødé 日本語",
            "emoji \uD83D\uDE00 and \uD83C\uDF0D", "tab\tnul\0", "x".repeat(200), "é".repeat(70)};

    /** Avro's own path: the generic SpecificDatumWriter/resolving reader, as every serde used before the codec. */
    private final SingleObjectSerde<IkePacket> avro = new SingleObjectSerde<>(IkePacket.getClassSchema(), Serdes.IKE_PACKET_HISTORY);
    private final SingleObjectSerde<IkePacket> fast = Serdes.ikePacket();

    @Test
    void shouldEncodeEveryRandomPacketToExactlyAvrosBytes() throws IOException {
        Random random = new Random(20261128L);
        for (int i = 0; i < PACKETS; i++) {
            IkePacket p = randomPacket(random, true);
            byte[] reference = bytes(IkePacket.getEncoder().encode(p));

            assertThat(fast.encode(p)).as("packet %d: %s", i, p).isEqualTo(reference);
            assertThat(avro.encode(p)).isEqualTo(reference);
        }
    }

    @Test
    void shouldDecodeEveryRandomPacketBackToAnEqualRecord() {
        Random random = new Random(7L);
        for (int i = 0; i < PACKETS; i++) {
            IkePacket p = randomPacket(random, false);
            byte[] bytes = fast.encode(p);

            IkePacket read = fast.decode(bytes);

            assertThat(read).as("packet %d", i).isEqualTo(p).isEqualTo(avro.decode(bytes));
            assertThat(read.toString()).isEqualTo(p.toString());
        }
    }

    @Test
    void shouldReadAPacketOfTheV1WriterThroughAvrosResolvingPath() throws IOException {
        Schema v1 = SingleObjectSerde.loadSchema("/io/natshift/schemas/history/IkePacket-v1.avsc");
        IkePacket current = randomPacket(new Random(3L), false);
        GenericRecord old = new GenericData.Record(v1);
        for (Schema.Field f : v1.getFields()) {
            Object value = current.get(f.name());
            if (value instanceof Instant t) {
                value = IkePacketCodec.epochMicros(t);
            } else if (value instanceof Spi spi) {
                value = new GenericData.Fixed(f.schema(), spi.bytes());
            }
            old.put(f.name(), value);
        }
        byte[] bytes = bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old));

        IkePacket read = fast.decode(bytes);

        current.setVantage("unknown");
        assertThat(read).isEqualTo(current);
    }

    @Test
    void shouldReadArraysSplitIntoSeveralBlocksByAvrosBlockingEncoder() throws IOException {
        IkePacket p = randomPacket(new Random(11L), false);
        p.setPayloads(ints(0, 400));
        p.setVendorIds(List.of("4a131c81070358455c5728f20e95452f", "afcad71368a1f1c96b8696fc77570100", "12f5f28c457168a9702d9fe274cc0100"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Arrays.copyOf(fast.encode(p), 10));
        // a small block size so arrays come out as several blocks with negative counts and byte sizes
        BinaryEncoder blocking = new EncoderFactory().configureBlockSize(64).blockingBinaryEncoder(out, null);
        new SpecificDatumWriter<IkePacket>(IkePacket.getClassSchema(), p.getSpecificData()).write(p, blocking);
        blocking.flush();
        byte[] blocked = out.toByteArray();
        assertThat(blocked).isNotEqualTo(fast.encode(p));

        assertThat(fast.decode(blocked)).isEqualTo(p).isEqualTo(avro.decode(blocked));
    }

    @Test
    void shouldThrowASerializationExceptionForEveryTruncationAsAvroDoes() {
        Random random = new Random(5L);
        for (int i = 0; i < 40; i++) {
            byte[] bytes = fast.encode(randomPacket(random, false));
            // every cut of small records, 300 random cuts of big ones (long arrays of long strings)
            int cuts = Math.min(bytes.length, 300);
            for (int c = 0; c < cuts; c++) {
                int length = cuts == bytes.length ? c : random.nextInt(bytes.length);
                byte[] cut = Arrays.copyOf(bytes, length);

                assertThat(catchThrowable(() -> fast.decode(cut))).as("cut to %d", length).isInstanceOf(SerializationException.class);
                assertThat(catchThrowable(() -> avro.decode(cut))).isInstanceOf(SerializationException.class);
            }
        }
    }

    @Test
    void shouldAgreeWithAvroOnCorruptedBodies() {
        Random random = new Random(99L);
        int rejected = 0;
        int hugeLengths = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = fast.encode(randomPacket(random, false));
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                bytes[10 + random.nextInt(bytes.length - 10)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                bytes = Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(8));  // trailing garbage, ignored by both
            }

            Outcome actual = outcome(fast, bytes);
            if (actual.failure != null && claimsHugeLength(actual.failure)) {
                // Avro allocates a claimed string length or array count (up to 2^31) before finding the
                // bytes missing, which runs this JVM out of heap: such records are only checked to be rejected
                hugeLengths++;
                continue;
            }
            Outcome expected = outcome(avro, bytes);

            assertThat(actual.failure == null).as("record %d, Avro said %s, codec said %s", i, expected, actual)
                    .isEqualTo(expected.failure == null);
            if (expected.failure == null) {
                assertThat(actual.record).isEqualTo(expected.record);
            } else {
                assertThat(actual.failure).isInstanceOf(SerializationException.class);
                rejected++;
            }
        }
        assertThat(rejected).as("corruptions rejected by both").isGreaterThan(1_000);
        assertThat(hugeLengths).as("corruptions claiming a huge length").isGreaterThan(0);
    }

    @Test
    void shouldRejectAStringClaimingAGibibyteWithoutAllocatingIt() {
        IkePacket p = randomPacket(new Random(8L), false);
        byte[] bytes = fast.encode(p);
        // the first field, probeId, claims 2^30 bytes: zig-zag 2^31 as a varint
        byte[] huge = ByteBuffer.allocate(15).put(bytes, 0, 10).put(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08})
                .array();

        assertThatThrownBy(() -> fast.decode(huge)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void shouldRejectGarbageAndUnknownWritersWithASerializationException() {
        byte[] good = fast.encode(randomPacket(new Random(1L), false));
        byte[] badMagic = good.clone();
        badMagic[0] = 0x4F;
        byte[] unknownWriter = good.clone();
        unknownWriter[5] ^= 0x01;
        List<byte[]> inputs = List.of(new byte[0], new byte[] {(byte) 0xC3, 0x01}, badMagic, unknownWriter,
                "not avro at all, just text".getBytes(), Arrays.copyOf(good, 10));

        for (byte[] input : inputs) {
            assertThatThrownBy(() -> fast.decode(input)).isInstanceOf(SerializationException.class);
            assertThatThrownBy(() -> Serdes.ingestValue().decode(input)).isInstanceOf(SerializationException.class);
        }
    }

    @Test
    void shouldRejectAnArrayCountLargerThanTheBytesLeftBeforeAllocatingIt() {
        IkePacket p = randomPacket(new Random(2L), false);
        p.setVantage("");
        p.setIkeFragmentNumber(null);
        p.setIkeFragmentTotal(null);
        p.setPayloads(List.of());
        p.setNotifyTypes(List.of());
        p.setVendorIds(List.of());
        byte[] bytes = fast.encode(p);
        // payloads' count is the 11th byte from the end: count(0) x3, 3 booleans, 2 null unions, frameLength, vantage
        int frameLengthSize = varintSize(p.getFrameLength());
        int payloadsAt = bytes.length - 1 - frameLengthSize - 2 - 3 - 3;
        assertThat(bytes[payloadsAt]).isZero();
        ByteBuffer corrupt = ByteBuffer.allocate(bytes.length + 9);
        corrupt.put(bytes, 0, payloadsAt).put(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F});
        byte[] huge = Arrays.copyOf(corrupt.array(), corrupt.position());

        assertThatThrownBy(() -> fast.decode(huge)).isInstanceOf(SerializationException.class).hasMessageContaining("cannot fit");
        assertThatThrownBy(() -> avro.decode(huge)).isInstanceOf(SerializationException.class);
    }

    @Test
    void shouldFailLoudlyWhenIkePacketsSchemaNoLongerMatchesTheCodec() {
        assertThat(IkePacketCodec.describe(IkePacket.getClassSchema())).isEqualTo(IkePacketCodec.FIELDS);

        Schema grown = SchemaBuilder.record("IkePacket").namespace("io.natshift.schemas.avro").fields()
                .requiredString("probeId").name("added").type().stringType().stringDefault("x").endRecord();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : IkePacket.getClassSchema().getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field(grown.getField("added"), grown.getField("added").schema()));
        Schema withAddedField = Schema.createRecord("IkePacket", null, "io.natshift.schemas.avro", false, fields);

        assertThatThrownBy(() -> new IkePacketCodec(withAddedField)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("added:string");
    }

    @Test
    void shouldThrowLikeAvroForAnInstantBeyondTimestampMicros() {
        IkePacket p = randomPacket(new Random(4L), false);
        p.setTimestampMicros(Instant.MAX);

        assertThatThrownBy(() -> IkePacket.getEncoder().encode(p)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> avro.encode(p)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> fast.encode(p)).isInstanceOf(ArithmeticException.class);
    }

    private static boolean claimsHugeLength(Throwable failure) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("needs (\\d+) more bytes|array block of (\\d+) items")
                .matcher(String.valueOf(failure.getMessage()));
        return m.find() && Long.parseLong(m.group(1) != null ? m.group(1) : m.group(2)) > (1 << 20);
    }

    private record Outcome(IkePacket record, Throwable failure) {
    }

    private static Outcome outcome(SingleObjectSerde<IkePacket> serde, byte[] bytes) {
        try {
            return new Outcome(serde.decode(bytes), null);
        } catch (RuntimeException e) {
            return new Outcome(null, e);
        }
    }

    private static int varintSize(int n) {
        AvroOut out = new AvroOut(8);
        out.writeInt(n);
        return out.copy().length;
    }

    /** withUnpairedSurrogates: Avro writes them as '?', so such packets only compare as bytes, not after a round trip. */
    static IkePacket randomPacket(Random r, boolean withUnpairedSurrogates) {
        IkePacket p = new IkePacket();
        p.setProbeId(string(r, withUnpairedSurrogates));
        p.setSource(string(r, withUnpairedSurrogates));
        p.setFrame(anyLong(r));
        p.setTimestampMicros(IkePacketCodec.instant(anyLong(r)));
        p.setSrcAddr(string(r, withUnpairedSurrogates));
        p.setSrcPort(anyInt(r));
        p.setDstAddr(string(r, withUnpairedSurrogates));
        p.setDstPort(anyInt(r));
        p.setNatT(r.nextBoolean());
        p.setInitiatorSpi(spi(r));
        p.setResponderSpi(spi(r));
        p.setMajorVersion(anyInt(r));
        p.setMinorVersion(anyInt(r));
        p.setExchangeType(anyInt(r));
        p.setFlags(anyInt(r));
        p.setMessageId(anyLong(r));
        p.setNextPayload(anyInt(r));
        p.setLength(anyLong(r));
        p.setEncrypted(r.nextBoolean());
        p.setPayloads(ints(r));
        p.setNotifyTypes(ints(r));
        List<String> vendorIds = new ArrayList<>();
        for (int i = 0, n = size(r); i < n; i++) {
            vendorIds.add(string(r, withUnpairedSurrogates));
        }
        p.setVendorIds(vendorIds);
        p.setNatDetection(r.nextBoolean());
        p.setIpFragment(r.nextBoolean());
        p.setIkeFragment(r.nextBoolean());
        p.setIkeFragmentNumber(r.nextBoolean() ? null : anyInt(r));
        p.setIkeFragmentTotal(r.nextBoolean() ? null : anyInt(r));
        p.setFrameLength(anyInt(r));
        p.setVantage(string(r, withUnpairedSurrogates));
        return p;
    }

    private static int size(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> 2 + r.nextInt(10);
            case 3 -> 60 + r.nextInt(10);  // around the one-byte varint boundary of the count (63)
            default -> r.nextInt(300);
        };
    }

    private static List<Integer> ints(Random r) {
        List<Integer> items = new ArrayList<>();
        for (int i = 0, n = size(r); i < n; i++) {
            items.add(anyInt(r));
        }
        return items;
    }

    private static List<Integer> ints(int from, int to) {
        List<Integer> items = new ArrayList<>();
        for (int i = from; i < to; i++) {
            items.add(i * 37 - 5_000);
        }
        return items;
    }

    private static int anyInt(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> EXTREME_INTS[r.nextInt(EXTREME_INTS.length)];
            case 1 -> r.nextInt(70_000) - 100;
            default -> r.nextInt();
        };
    }

    private static long anyLong(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> EXTREME_LONGS[r.nextInt(EXTREME_LONGS.length)];
            case 1 -> r.nextInt(100_000) - 10;
            default -> r.nextLong() >> r.nextInt(64);
        };
    }

    private static String string(Random r, boolean withUnpairedSurrogates) {
        if (withUnpairedSurrogates && r.nextInt(10) == 0) {
            return "lone \uD800 high" + (r.nextBoolean() ? "\uDC00" : "\uDBFF");
        }
        if (r.nextInt(3) == 0) {
            StringBuilder b = new StringBuilder();
            for (int i = 0, n = r.nextInt(40); i < n; i++) {
                b.appendCodePoint(randomCodePoint(r));
            }
            return b.toString();
        }
        return STRINGS[r.nextInt(STRINGS.length)];
    }

    private static int randomCodePoint(Random r) {
        while (true) {
            int cp = switch (r.nextInt(4)) {
                case 0 -> r.nextInt(0x80);
                case 1 -> r.nextInt(0x800);
                case 2 -> r.nextInt(0x10000);
                default -> r.nextInt(0x110000);
            };
            if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                return cp;
            }
        }
    }

    private static Spi spi(Random r) {
        byte[] b = new byte[8];
        r.nextBytes(b);
        return new Spi(b);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
