package io.natshift.topology.correlation;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import io.natshift.schemas.avro.NatBinding;

/**
 * One tracker task's floats of one minute from one address block (or configured pool), on their way
 * to the pool resolver: the counts, and the blocks its shifts moved to (the resolver merges them).
 * Keyed {@code block:<block>} or {@code pool:<configured name>}.
 */
final class PoolPartial {
    static final String BLOCK = "block:";
    static final String CONFIGURED = "pool:";
    private static final int VERSION = 1;

    Counts.Pool counts = new Counts.Pool();
    /** Blocks of the 'after' addresses of shifts, when not in a configured pool. */
    final TreeSet<String> shiftedTo = new TreeSet<>();

    /** The partial's key of a fact: null unless it floated, and (counted) when its public legs are not address:port. */
    static String key(PoolMap pools, NatBinding b, CorrelationCounters counters) {
        if (!b.getFloated() || b.getPublic500() == null || b.getPublic4500() == null) {
            return null;
        }
        String before = Endpoints.address(b.getPublic500());
        String after = Endpoints.address(b.getPublic4500());
        byte[] beforeBytes = PoolMap.bytes(before);
        if (before == null || after == null || beforeBytes == null) {
            counters.unparsableAddresses.increment();
            Partials.LOG.warn("pool of SA {} not resolved: public legs '{}' / '{}' are not address:port", b.getSaId(),
                    b.getPublic500(), b.getPublic4500());
            return null;
        }
        String configured = pools.configured(beforeBytes);
        return configured != null ? CONFIGURED + configured : BLOCK + PoolMap.block(beforeBytes);
    }

    void add(PoolMap pools, String key, NatBinding b) {
        counts.add(b);
        if (b.getNatShift() && key.startsWith(BLOCK)) {
            String after = Endpoints.address(b.getPublic4500());
            byte[] afterBytes = PoolMap.bytes(after);
            if (afterBytes == null) {
                shiftedTo.add(after);   // as before: an unparsable address is its own block
            } else if (pools.configured(afterBytes) == null) {
                shiftedTo.add(PoolMap.block(afterBytes));
            }
        }
    }

    static Serde<PoolPartial> serde() {
        Serde<Counts.Pool> pool = Counts.poolSerde();
        Serializer<PoolPartial> ser = (topic, p) -> {
            if (p == null) {
                return null;
            }
            List<byte[]> blocks = new ArrayList<>();
            int size = 1 + Short.BYTES;
            for (String b : p.shiftedTo) {
                byte[] utf8 = b.getBytes(StandardCharsets.UTF_8);
                blocks.add(utf8);
                size += Short.BYTES + utf8.length;
            }
            byte[] counts = pool.serializer().serialize(topic, p.counts);
            ByteBuffer out = ByteBuffer.allocate(size + counts.length);
            out.put((byte) VERSION).putShort((short) blocks.size());
            for (byte[] b : blocks) {
                out.putShort((short) b.length).put(b);
            }
            return out.put(counts).array();
        };
        Deserializer<PoolPartial> de = (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                ByteBuffer in = ByteBuffer.wrap(data);
                int version = in.get() & 0xFF;
                if (version != VERSION) {
                    throw new SerializationException("unknown pool partial version " + version + " in " + topic);
                }
                PoolPartial p = new PoolPartial();
                int n = in.getShort() & 0xFFFF;
                for (int i = 0; i < n; i++) {
                    byte[] utf8 = new byte[in.getShort() & 0xFFFF];
                    in.get(utf8);
                    p.shiftedTo.add(new String(utf8, StandardCharsets.UTF_8));
                }
                p.counts = pool.deserializer().deserialize(topic, Arrays.copyOfRange(data, in.position(), data.length));
                return p;
            } catch (BufferUnderflowException e) {
                throw new SerializationException("truncated pool partial in " + topic, e);
            }
        };
        return org.apache.kafka.common.serialization.Serdes.serdeFrom(ser, de);
    }
}
