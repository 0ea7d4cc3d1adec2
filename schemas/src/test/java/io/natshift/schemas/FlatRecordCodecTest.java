package io.natshift.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import io.natshift.schemas.avro.GatewayStats;
import io.natshift.schemas.avro.NatBinding;
import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.PoolStats;
import io.natshift.schemas.avro.ProbeHeartbeat;
import io.natshift.schemas.avro.SessionSummary;
import io.natshift.schemas.avro.SubscriberStats;

class FlatRecordCodecTest {
    private static final int RECORDS = 1_000;
    private static final int[] EXTREME_INTS = {0, 1, -1, 63, 64, -64, -65, 127, 128, 8191, 8192, Integer.MAX_VALUE, Integer.MIN_VALUE};
    private static final long[] EXTREME_LONGS = {0, 1, -1, 63, 64, -65, 4_294_967_295L, Long.MAX_VALUE, Long.MIN_VALUE};
    private static final double[] EXTREME_DOUBLES = {0.0, -0.0, 1.0, 0.1, 1e-300, Double.MAX_VALUE, Double.MIN_VALUE,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
    private static final String[] STRINGS = {"", "a", "198.51.100.7:4500", "[2001:db8::1]:500", "probe-é", "ünïcødé 日本語",
            "emoji \uD83D\uDE00", "tab\tnul\0", "x".repeat(200), "é".repeat(70)};

    private record Type<T extends SpecificRecord>(Schema schema, Supplier<T> factory, SingleObjectSerde<T> serde) {
    }

    private static final List<Type<?>> TYPES = List.of(
            new Type<>(NatBinding.getClassSchema(), NatBinding::new, Serdes.natBinding()),
            new Type<>(SessionSummary.getClassSchema(), SessionSummary::new, Serdes.sessionSummary()),
            new Type<>(NatShiftAlert.getClassSchema(), NatShiftAlert::new, Serdes.natShiftAlert()),
            new Type<>(PoolStats.getClassSchema(), PoolStats::new, Serdes.poolStats()),
            new Type<>(GatewayStats.getClassSchema(), GatewayStats::new, Serdes.gatewayStats()),
            new Type<>(SubscriberStats.getClassSchema(), SubscriberStats::new, Serdes.subscriberStats()));

    @Test
    void shouldHaveAPlanForEveryOutputTypeAndTheRepartitionedFact() {
        for (Type<?> t : TYPES) {
            assertThat(FlatRecordCodec.forSchema(t.schema(), t.factory())).as(t.schema().getName()).isNotNull();
        }
    }

    @Test
    void shouldRefuseASchemaWithANestedRecordSoAvroKeepsIt() {
        Schema nested = new Schema.Parser().parse("""
                {"type": "record", "name": "Outer", "fields": [
                  {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [{"name": "x", "type": "int"}]}}]}""");
        assertThat(FlatRecordCodec.forSchema(nested, () -> null)).isNull();
    }

    @Test
    void shouldRefuseASchemaWithALogicalTypeSoAvroConvertsIt() {
        // the heartbeat's capture time is timestamp-micros: an Instant in the class, a long on the wire
        assertThat(FlatRecordCodec.forSchema(ProbeHeartbeat.getClassSchema(), ProbeHeartbeat::new)).isNull();
    }

    @Test
    void shouldEncodeEveryRandomRecordToExactlyAvrosBytesAndReadItBack() throws IOException {
        Random random = new Random(20261128L);
        for (Type<?> t : TYPES) {
            roundTrip(t, random);
        }
    }

    private static <T extends SpecificRecord> void roundTrip(Type<T> t, Random random) throws IOException {
        SpecificData model = SpecificData.getForSchema(t.schema());
        BinaryMessageEncoder<T> avroEncoder = new BinaryMessageEncoder<>(model, t.schema());
        BinaryMessageDecoder<T> avroDecoder = new BinaryMessageDecoder<>(model, t.schema());
        for (int i = 0; i < RECORDS; i++) {
            T r = randomRecord(t, random);
            byte[] reference = bytes(avroEncoder.encode(r));

            byte[] fast = t.serde().encode(r);
            assertThat(fast).as("%s %d: %s", t.schema().getName(), i, r).isEqualTo(reference);
            assertThat(t.serde().decode(fast)).as("%s %d", t.schema().getName(), i).isEqualTo(r);
            assertThat(avroDecoder.decode(fast)).isEqualTo(r);
        }
    }

    @Test
    void shouldThrowASerializationExceptionForEveryTruncation() {
        Random random = new Random(5L);
        for (Type<?> t : TYPES) {
            for (int i = 0; i < 50; i++) {
                byte[] bytes = encodeRandom(t, random);
                for (int cut = 10; cut < bytes.length; cut++) {
                    byte[] truncated = Arrays.copyOf(bytes, cut);
                    assertThatThrownBy(() -> t.serde().decode(truncated)).as("%s cut at %d of %d", t.schema().getName(), cut, bytes.length)
                            .isInstanceOf(SerializationException.class);
                }
            }
        }
    }

    @Test
    void shouldRefuseToWriteARequiredFieldWithoutAValue() {
        NatBinding b = (NatBinding) randomRecord(TYPES.get(0), new Random(1L));
        b.setGateway(null);
        assertThatThrownBy(() -> Serdes.natBinding().encode(b)).hasMessageContaining("gateway");
    }

    private static <T extends SpecificRecord> byte[] encodeRandom(Type<T> t, Random random) {
        return t.serde().encode(randomRecord(t, random));
    }

    private static <T extends SpecificRecord> T randomRecord(Type<T> t, Random random) {
        T r = t.factory().get();
        List<Schema.Field> fields = t.schema().getFields();
        for (int i = 0; i < fields.size(); i++) {
            Schema s = fields.get(i).schema();
            if (s.getType() == Schema.Type.UNION) {
                if (random.nextInt(3) == 0) {
                    r.put(i, null);
                    continue;
                }
                s = s.getTypes().get(1);
            }
            r.put(i, randomValue(s, random));
        }
        return r;
    }

    private static Object randomValue(Schema s, Random random) {
        return switch (s.getType()) {
            case STRING -> STRINGS[random.nextInt(STRINGS.length)];
            case INT -> random.nextBoolean() ? EXTREME_INTS[random.nextInt(EXTREME_INTS.length)] : random.nextInt();
            case LONG -> random.nextBoolean() ? EXTREME_LONGS[random.nextInt(EXTREME_LONGS.length)] : random.nextLong();
            case BOOLEAN -> random.nextBoolean();
            case DOUBLE -> random.nextBoolean() ? EXTREME_DOUBLES[random.nextInt(EXTREME_DOUBLES.length)] : random.nextDouble();
            case ARRAY -> {
                List<Object> items = new ArrayList<>();
                for (int n = random.nextInt(4); n > 0; n--) {
                    items.add(randomValue(s.getElementType(), random));
                }
                yield items;
            }
            case MAP -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int n = random.nextInt(4); n > 0; n--) {
                    map.put(STRINGS[random.nextInt(STRINGS.length)], randomValue(s.getValueType(), random));
                }
                yield map;
            }
            default -> throw new IllegalArgumentException("no random " + s);
        };
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
