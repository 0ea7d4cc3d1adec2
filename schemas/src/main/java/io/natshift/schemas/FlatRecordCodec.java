package io.natshift.schemas;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The Avro binary body of a flat record (scalars, optional scalars, arrays of strings, maps of longs:
 * every natshift output and NatBinding, the repartitioned fact), written and read from a plan made
 * once from the schema. Avro's SpecificDatumWriter/Reader re-walk the schema for every record and
 * convert each String to Utf8 and back: for the sessions, bindings and their repartitions that was a
 * tenth of the topology's stream thread. Same bytes as Avro (FlatRecordCodecTest); a schema with
 * anything else (nested records, enums, logical types) gets no plan and keeps Avro's path.
 */
final class FlatRecordCodec<T extends SpecificRecord> implements SingleObjectSerde.BodyCodec<T> {
    private static final int STRING = 0;
    private static final int INT = 1;
    private static final int LONG = 2;
    private static final int BOOLEAN = 3;
    private static final int DOUBLE = 4;
    private static final int STRINGS = 5;
    private static final int LONG_MAP = 6;
    /** Added to a kind for ["null", kind]: branch 0 null, branch 1 the value. */
    private static final int OPTIONAL = 8;

    private final Supplier<T> factory;
    private final int[] kinds;

    private FlatRecordCodec(Supplier<T> factory, int[] kinds) {
        this.factory = factory;
        this.kinds = kinds;
    }

    /** A codec for the schema, or null when it holds a type this codec does not write. */
    static <T extends SpecificRecord> FlatRecordCodec<T> forSchema(Schema schema, Supplier<T> factory) {
        if (schema.getType() != Schema.Type.RECORD) {
            return null;
        }
        List<Schema.Field> fields = schema.getFields();
        int[] kinds = new int[fields.size()];
        for (int i = 0; i < kinds.length; i++) {
            Schema s = fields.get(i).schema();
            int optional = 0;
            if (s.getType() == Schema.Type.UNION) {
                List<Schema> branches = s.getTypes();
                if (branches.size() != 2 || branches.get(0).getType() != Schema.Type.NULL) {
                    return null;
                }
                s = branches.get(1);
                optional = OPTIONAL;
            }
            int kind = kind(s);
            if (kind < 0) {
                return null;
            }
            kinds[i] = kind + optional;
        }
        return new FlatRecordCodec<>(factory, kinds);
    }

    private static int kind(Schema s) {
        if (s.getLogicalType() != null) {
            return -1;
        }
        return switch (s.getType()) {
            case STRING -> STRING;
            case INT -> INT;
            case LONG -> LONG;
            case BOOLEAN -> BOOLEAN;
            case DOUBLE -> DOUBLE;
            case ARRAY -> s.getElementType().getType() == Schema.Type.STRING && s.getElementType().getLogicalType() == null ? STRINGS : -1;
            case MAP -> s.getValueType().getType() == Schema.Type.LONG && s.getValueType().getLogicalType() == null ? LONG_MAP : -1;
            default -> -1;
        };
    }

    @Override
    public void write(T record, AvroOut out) {
        for (int i = 0; i < kinds.length; i++) {
            Object v = record.get(i);
            int kind = kinds[i];
            if (kind >= OPTIONAL) {
                if (v == null) {
                    out.writeInt(0);
                    continue;
                }
                out.writeInt(1);
                kind -= OPTIONAL;
            } else if (v == null) {
                // as Avro: a required field without a value cannot be written
                throw new NullPointerException("null value for required field " + record.getSchema().getFields().get(i).name()
                        + " of " + record.getSchema().getName());
            }
            writeValue(kind, v, out);
        }
    }

    @SuppressWarnings("unchecked")
    private static void writeValue(int kind, Object v, AvroOut out) {
        switch (kind) {
            case STRING -> out.writeString(v.toString());
            case INT -> out.writeInt((Integer) v);
            case LONG -> out.writeLong((Long) v);
            case BOOLEAN -> out.writeBoolean((Boolean) v);
            case DOUBLE -> out.writeDouble((Double) v);
            case STRINGS -> out.writeStrings((List<?>) v);
            case LONG_MAP -> {
                Map<?, Long> map = (Map<?, Long>) v;
                if (!map.isEmpty()) {
                    out.writeLong(map.size());
                    for (Map.Entry<?, Long> e : map.entrySet()) {
                        out.writeString(e.getKey().toString());
                        out.writeLong(e.getValue());
                    }
                }
                out.writeLong(0);
            }
            default -> throw new IllegalStateException("kind " + kind);
        }
    }

    @Override
    public T read(AvroIn in) throws IOException {
        T record = factory.get();
        for (int i = 0; i < kinds.length; i++) {
            int kind = kinds[i];
            if (kind >= OPTIONAL) {
                if (in.readIndex(2) == 0) {
                    record.put(i, null);
                    continue;
                }
                kind -= OPTIONAL;
            }
            record.put(i, readValue(kind, in));
        }
        return record;
    }

    private static Object readValue(int kind, AvroIn in) throws IOException {
        return switch (kind) {
            case STRING -> in.readString();
            case INT -> in.readInt();
            case LONG -> in.readLong();
            case BOOLEAN -> in.readBoolean();
            case DOUBLE -> in.readDouble();
            case STRINGS -> in.readStrings();
            case LONG_MAP -> {
                int count = in.readBlockCount();
                Map<String, Long> map = new HashMap<>();
                while (count > 0) {
                    for (int j = 0; j < count; j++) {
                        map.put(in.readString(), in.readLong());
                    }
                    count = in.readBlockCount();
                }
                yield map;
            }
            default -> throw new IllegalStateException("kind " + kind);
        };
    }
}
