package io.natshift.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HexFormat;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes natshift's Avro records as plain JSON objects (one per message), field names as in the
 * .avsc, nullable fields as JSON null rather than Avro's {"type": value} union wrapping, so
 * dashboard tools that read JSON from Kafka bind to the same field names as the Avro consumers.
 */
public final class JsonRecords {
    private static final HexFormat HEX = HexFormat.of();

    private JsonRecords() {
    }

    public static <T extends IndexedRecord> Serializer<T> serializer() {
        return (topic, record) -> record == null ? null : toJson(record).getBytes(StandardCharsets.UTF_8);
    }

    public static String toJson(IndexedRecord record) {
        StringBuilder out = new StringBuilder(256);
        writeRecord(out, record);
        return out.toString();
    }

    private static void writeRecord(StringBuilder out, IndexedRecord record) {
        out.append('{');
        boolean first = true;
        for (Schema.Field field : record.getSchema().getFields()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(out, field.name());
            out.append(':');
            writeValue(out, record.get(field.pos()));
        }
        out.append('}');
    }

    private static void writeValue(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof IndexedRecord r) {
            writeRecord(out, r);
        } else if (value instanceof GenericFixed f) {
            writeString(out, HEX.formatHex(f.bytes()));
        } else if (value instanceof Collection<?> items) {
            out.append('[');
            boolean first = true;
            for (Object item : items) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeValue(out, item);
            }
            out.append(']');
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof GenericContainer || value instanceof CharSequence || value instanceof Enum<?>) {
            writeString(out, value.toString());
        } else {
            writeString(out, String.valueOf(value));
        }
    }

    private static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
