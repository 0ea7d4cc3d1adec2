package io.natshift.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for Avro single-object encoding (magic C3 01, 8-byte schema fingerprint, body).
 * Consumers need no schema registry: the fingerprint names the writer schema, and every schema
 * this record type ever had is known to the reader (the current one plus {@code historyResources}),
 * so records written by older probes stay readable.
 */
public final class SingleObjectSerde<T extends SpecificRecord> implements Serde<T> {
    /**
     * Avro allocates a string, bytes or array of the length a record claims before it finds the bytes
     * missing: one corrupt length (up to 2^31) in a poison record would end a stream thread with an
     * OutOfMemoryError instead of a counted SerializationException. No natshift record holds anything
     * near these sizes. Avro reads them once, when it first checks a length, so they are set here,
     * before any record is decoded, unless the operator set them on the command line.
     */
    static final Map<String, String> AVRO_LIMITS = Map.of(
            "org.apache.avro.limits.string.maxLength", String.valueOf(1 << 20),
            "org.apache.avro.limits.bytes.maxLength", String.valueOf(16 << 20),
            "org.apache.avro.limits.collectionItems.maxLength", String.valueOf(1 << 20));

    static {
        AVRO_LIMITS.forEach((k, v) -> {
            if (System.getProperty(k) == null) {
                System.setProperty(k, v);
            }
        });
    }

    private final byte[] header;
    private final SpecificDatumWriter<T> writer;
    private final BodyCodec<T> codec;
    // per thread: the producer may serialize from several threads; one buffer each avoids copies per record
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        final ExposedBuffer out = new ExposedBuffer();
        BinaryEncoder encoder;
        AvroOut codecOut;
    }

    /**
     * A hand-written body codec for the current writer schema only (bytes identical to Avro's);
     * records of any other writer schema take Avro's resolving path.
     */
    interface BodyCodec<T> {
        void write(T record, AvroOut out);

        /** Reads one body; throws on truncated or malformed input, never returns a partial record. */
        T read(AvroIn in) throws IOException;
    }

    private static final class ExposedBuffer extends ByteArrayOutputStream {
        ExposedBuffer() {
            super(512);
        }

        byte[] copy() {
            return Arrays.copyOf(buf, count);
        }
    }
    private final BinaryMessageDecoder<T> decoder;

    public SingleObjectSerde(Schema schema, List<String> historyResources) {
        this(schema, historyResources, null);
    }

    SingleObjectSerde(Schema schema, List<String> historyResources, BodyCodec<T> codec) {
        this.codec = codec;
        SpecificData model = SpecificData.getForSchema(schema);
        this.writer = new SpecificDatumWriter<>(schema, model);
        // single-object header: C3 01 | CRC-64-AVRO fingerprint, little-endian
        this.header = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0xC3).put((byte) 0x01).putLong(SchemaNormalization.parsingFingerprint64(schema)).array();
        this.decoder = new BinaryMessageDecoder<>(model, schema);
        for (String resource : historyResources) {
            decoder.addSchema(loadSchema(resource));
        }
    }

    static Schema loadSchema(String resource) {
        try (InputStream in = SingleObjectSerde.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing schema resource " + resource);
            }
            return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Same bytes as Avro's {@link BinaryMessageEncoder}, written through one reused buffer per thread. */
    public byte[] encode(T record) {
        if (codec != null) {
            return encodeWithCodec(record);
        }
        try {
            Scratch s = scratch.get();
            s.out.reset();
            s.out.write(header);
            s.encoder = EncoderFactory.get().directBinaryEncoder(s.out, s.encoder);
            writer.write(record, s.encoder);
            s.encoder.flush();
            return s.out.copy();
        } catch (IOException e) {
            throw new SerializationException("cannot encode " + record.getSchema().getFullName(), e);
        }
    }

    private byte[] encodeWithCodec(T record) {
        Scratch s = scratch.get();
        if (s.codecOut == null) {
            s.codecOut = new AvroOut(512);
        }
        s.codecOut.reset();
        s.codecOut.writeRaw(header, 0, header.length);
        codec.write(record, s.codecOut);
        return s.codecOut.copy();
    }

    /** Throws {@link SerializationException} naming the cause for bytes that are not a known record. */
    public T decode(byte[] bytes) {
        try {
            if (codec != null && bytes.length >= header.length && Arrays.equals(bytes, 0, header.length, header, 0, header.length)) {
                return codec.read(new AvroIn(bytes, header.length));
            }
            return decoder.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("not a readable single-object record: " + e.getMessage(), e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, record) -> record == null ? null : encode(record);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }
}
