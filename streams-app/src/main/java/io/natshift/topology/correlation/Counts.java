package io.natshift.topology.correlation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import io.natshift.schemas.avro.NatBinding;

/** The aggregates of the statistics stores, with their compact binary serdes (versioned by a first byte). */
final class Counts {
    private static final int VERSION = 1;
    /** Causes are a small fixed vocabulary; anything beyond this many is counted under "other". */
    static final int MAX_CAUSES = 16;

    private Counts() {
    }

    /** NAT-T floats through one pool. */
    static final class Pool {
        long floats;
        long paired;
        long shifts;
        long failedByShift;
        long firstMillis = Long.MAX_VALUE;
        DistinctSketch subscribers = new DistinctSketch();

        Pool add(NatBinding b) {
            floats++;
            if (b.getNatShift()) {
                shifts++;
                subscribers.add(b.getSubscriber());
                if ("failed".equals(b.getOutcome())) {
                    failedByShift++;
                }
            } else {
                paired++;
            }
            firstMillis = Math.min(firstMillis, b.getStartMillis());
            return this;
        }

        /** The same as adding the facts {@code other} added. */
        Pool merge(Pool other) {
            floats += other.floats;
            paired += other.paired;
            shifts += other.shifts;
            failedByShift += other.failedByShift;
            firstMillis = Math.min(firstMillis, other.firstMillis);
            subscribers.merge(other.subscribers);
            return this;
        }
    }

    /** SA attempts towards one gateway. */
    static final class Gateway {
        long attempts;
        long established;
        long failed;
        long retransmissions;
        Map<String, Long> failedByCause = new TreeMap<>();
        SetupHistogram setup = new SetupHistogram();

        Gateway add(NatBinding b) {
            attempts++;
            retransmissions += b.getRetransmissions();
            if ("established".equals(b.getOutcome())) {
                established++;
                if (b.getSetupMillis() != null) {
                    setup.add(b.getSetupMillis());
                }
            } else {
                failed++;
                countCause(b.getCause() == null ? "unknown" : b.getCause(), 1);
            }
            return this;
        }

        /** The same as adding the facts {@code other} added. */
        Gateway merge(Gateway other) {
            attempts += other.attempts;
            established += other.established;
            failed += other.failed;
            retransmissions += other.retransmissions;
            other.failedByCause.forEach(this::countCause);
            for (int i = 0; i < SetupHistogram.BUCKETS; i++) {
                setup.counts[i] += other.setup.counts[i];
            }
            return this;
        }

        private void countCause(String cause, long n) {
            if (!failedByCause.containsKey(cause) && failedByCause.size() >= MAX_CAUSES - 1) {
                cause = "other";
            }
            failedByCause.merge(cause, n, Long::sum);
        }
    }

    /** Failed attempts of one subscriber. */
    static final class Subscriber {
        long failed;
        long failedByShift;
        String source = "unknown";
        String lastGateway = "unknown";
        long lastMillis = Long.MIN_VALUE;

        Subscriber add(NatBinding b) {
            failed++;
            if ("nat-shift".equals(b.getCause()) || "stalled-after-float".equals(b.getCause())) {
                failedByShift++;
            }
            source = b.getSubscriberSource();
            if (b.getEndMillis() >= lastMillis) {
                lastMillis = b.getEndMillis();
                lastGateway = b.getGateway();
            }
            return this;
        }

        /** The same as adding the facts {@code other} added, after these. */
        Subscriber merge(Subscriber other) {
            failed += other.failed;
            failedByShift += other.failedByShift;
            source = other.source;
            if (other.lastMillis >= lastMillis) {
                lastMillis = other.lastMillis;
                lastGateway = other.lastGateway;
            }
            return this;
        }
    }

    interface Writer<T> {
        void write(DataOutputStream out, T value) throws IOException;
    }

    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static void checkVersion(int version, String topic) {
        if (version != VERSION) {
            throw new IllegalStateException("unknown statistics state version " + version + " in " + topic);
        }
    }

    static <T> Serde<T> serde(Writer<T> writer, Reader<T> reader) {
        Serializer<T> ser = (topic, value) -> {
            if (value == null) {
                return null;
            }
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
                DataOutputStream out = new DataOutputStream(bytes);
                out.writeByte(VERSION);
                writer.write(out, value);
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        Deserializer<T> de = (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
                int version = in.readUnsignedByte();
                checkVersion(version, topic);
                return reader.read(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return org.apache.kafka.common.serialization.Serdes.serdeFrom(ser, de);
    }

    /**
     * A pool's aggregate holds its subscriber sketch: up to {@link DistinctSketch#K} hashes, 8 KiB. The
     * window stores' record cache keeps bytes, so every float re-encodes and re-decodes it (three stores);
     * bulk copies through a ByteBuffer instead of a DataOutputStream long by long. Same bytes as that
     * stream (big-endian), so changelogs written before read back unchanged.
     */
    static Serde<Pool> poolSerde() {
        Serializer<Pool> ser = (topic, p) -> {
            if (p == null) {
                return null;
            }
            long[] hashes = p.subscribers.hashes;
            ByteBuffer out = ByteBuffer.allocate(1 + 5 * Long.BYTES + Short.BYTES + hashes.length * Long.BYTES);
            out.put((byte) VERSION);
            out.putLong(p.floats).putLong(p.paired).putLong(p.shifts).putLong(p.failedByShift).putLong(p.firstMillis);
            out.putShort((short) hashes.length);
            out.asLongBuffer().put(hashes);
            return out.array();
        };
        Deserializer<Pool> de = (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                ByteBuffer in = ByteBuffer.wrap(data);
                int version = in.get() & 0xFF;
                checkVersion(version, topic);
                Pool p = new Pool();
                p.floats = in.getLong();
                p.paired = in.getLong();
                p.shifts = in.getLong();
                p.failedByShift = in.getLong();
                p.firstMillis = in.getLong();
                long[] hashes = new long[in.getShort() & 0xFFFF];
                in.asLongBuffer().get(hashes);
                p.subscribers.hashes = hashes;
                return p;
            } catch (BufferUnderflowException e) {
                throw new IllegalStateException("truncated pool statistics state in " + topic, e);
            }
        };
        return org.apache.kafka.common.serialization.Serdes.serdeFrom(ser, de);
    }

    static Serde<Gateway> gatewaySerde() {
        return serde((out, g) -> {
            out.writeLong(g.attempts);
            out.writeLong(g.established);
            out.writeLong(g.failed);
            out.writeLong(g.retransmissions);
            out.writeByte(g.failedByCause.size());
            for (var e : g.failedByCause.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue());
            }
            int used = 0;
            for (int i = 0; i < SetupHistogram.BUCKETS; i++) {
                if (g.setup.counts[i] != 0) {
                    used++;
                }
            }
            out.writeByte(used);
            for (int i = 0; i < SetupHistogram.BUCKETS; i++) {
                if (g.setup.counts[i] != 0) {
                    out.writeByte(i);
                    out.writeLong(g.setup.counts[i]);
                }
            }
        }, in -> {
            Gateway g = new Gateway();
            g.attempts = in.readLong();
            g.established = in.readLong();
            g.failed = in.readLong();
            g.retransmissions = in.readLong();
            int causes = in.readUnsignedByte();
            for (int i = 0; i < causes; i++) {
                g.failedByCause.put(in.readUTF(), in.readLong());
            }
            int used = in.readUnsignedByte();
            for (int i = 0; i < used; i++) {
                g.setup.counts[in.readUnsignedByte()] = in.readLong();
            }
            return g;
        });
    }

    static Serde<Subscriber> subscriberSerde() {
        return serde((out, s) -> {
            out.writeLong(s.failed);
            out.writeLong(s.failedByShift);
            out.writeUTF(s.source);
            out.writeUTF(s.lastGateway);
            out.writeLong(s.lastMillis);
        }, in -> {
            Subscriber s = new Subscriber();
            s.failed = in.readLong();
            s.failedByShift = in.readLong();
            s.source = in.readUTF();
            s.lastGateway = in.readUTF();
            s.lastMillis = in.readLong();
            return s;
        });
    }
}
