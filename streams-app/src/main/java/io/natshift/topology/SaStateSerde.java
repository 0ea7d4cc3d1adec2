package io.natshift.topology;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary form of SaState for the store and its changelog: varints, timestamps as deltas
 * from the first packet, strings once. Internal to the topology (not a contract), versioned by
 * its first byte so a changed layout fails loudly instead of misreading old changelogs.
 */
final class SaStateSerde implements Serde<SaState> {
    private static final int FORMAT = 2;

    @Override
    public Serializer<SaState> serializer() {
        return (topic, s) -> s == null ? null : encode(s);
    }

    @Override
    public Deserializer<SaState> deserializer() {
        return (topic, b) -> b == null ? null : decode(b);
    }

    static byte[] encode(SaState s) {
        Out o = new Out();
        o.varint(FORMAT);
        o.fixed64(s.responderSpi);
        o.varint(s.version);
        o.signed(s.firstTs);
        long base = s.firstTs;
        o.varlong(s.lastTs - base);
        o.varint(s.flags);
        o.varint(s.alertView + 1);
        o.varint(s.views.size());
        for (View v : s.views) {
            o.string(v.vantage);
            o.string(v.probeId);
            o.varint((v.roleKnown ? 1 : 0) | (v.roleInferred ? 2 : 0) | (v.shift ? 4 : 0) | (v.responderNatT ? 8 : 0)
                    | (v.natDetected ? 16 : 0) | (v.currentNatT ? 32 : 0) | (v.lastFromResponder ? 64 : 0));
            o.string(v.responderAddr);
            o.varint(v.responderPort);
            o.string(v.before);
            o.varint(v.beforePort);
            o.time(v.beforeTs, base);
            o.varlong(v.beforeFrame);
            o.string(v.beforeSource);
            o.string(v.after);
            o.varint(v.afterPort);
            o.time(v.floatTs, base);
            o.varlong(v.floatFrame);
            o.string(v.floatSource);
            o.varint(v.floatExchange);
            o.string(v.currentAddr);
            o.time(v.currentTs, base);
            o.varint(v.addressUpdates);
            o.varint(v.responderToBefore);
            o.varint(v.responderToAfter);
            o.varint(v.phases);
            o.time(v.establishedTs, base);
            o.varint(v.initiatorPackets);
            o.varint(v.responderPackets);
            o.varint(v.initiatorRetransmissions);
            o.varint(v.responderRetransmissions);
            o.varint(v.duplicates);
            o.varint(v.fragments);
            o.varint(v.errorNotify);
            o.time(v.lastTs, base);
            o.varlong(v.lastFrame);
            o.string(v.lastSource);
            o.varint(v.quickModes.length);
            for (View.QuickMode q : v.quickModes) {
                o.fixed32(q.messageId);
                o.varlong(q.initiatorLength);
                o.time(q.initiatorTs, base);
                o.time(q.responderTs, base);
                o.varint(q.third ? 1 : 0);
            }
            o.varint(v.signatures.length);
            int own = v.probeId.hashCode();
            for (View.Signature g : v.signatures) {
                o.fixed32(g.key);
                o.varint(g.max);
                o.varint(g.probes.length);
                for (int i = 0; i < g.probes.length; i++) {
                    // the view's own probe, by far the common case, costs one byte
                    if (g.probes[i] == own) {
                        o.varint(0);
                    } else {
                        o.varint(1);
                        o.fixed32(g.probes[i]);
                    }
                    o.varint(g.counts[i]);
                }
            }
        }
        return o.bytes();
    }

    static SaState decode(byte[] b) {
        In in = new In(b);
        int format = in.varint();
        if (format != FORMAT) {
            throw new SerializationException("sa-state: unknown state format " + format);
        }
        SaState s = new SaState();
        s.responderSpi = in.fixed64();
        s.version = in.varint();
        s.firstTs = in.signed();
        long base = s.firstTs;
        s.lastTs = base + in.varlong();
        s.flags = in.varint();
        s.alertView = in.varint() - 1;
        int views = in.varint();
        for (int n = 0; n < views; n++) {
            View v = new View();
            v.vantage = in.string();
            v.probeId = in.string();
            int bits = in.varint();
            v.roleKnown = (bits & 1) != 0;
            v.roleInferred = (bits & 2) != 0;
            v.shift = (bits & 4) != 0;
            v.responderNatT = (bits & 8) != 0;
            v.natDetected = (bits & 16) != 0;
            v.currentNatT = (bits & 32) != 0;
            v.lastFromResponder = (bits & 64) != 0;
            v.responderAddr = in.string();
            v.responderPort = in.varint();
            v.before = in.string();
            v.beforePort = in.varint();
            v.beforeTs = in.time(base);
            v.beforeFrame = in.varlong();
            v.beforeSource = in.string();
            v.after = in.string();
            v.afterPort = in.varint();
            v.floatTs = in.time(base);
            v.floatFrame = in.varlong();
            v.floatSource = in.string();
            v.floatExchange = in.varint();
            v.currentAddr = in.string();
            v.currentTs = in.time(base);
            v.addressUpdates = in.varint();
            v.responderToBefore = in.varint();
            v.responderToAfter = in.varint();
            v.phases = in.varint();
            v.establishedTs = in.time(base);
            v.initiatorPackets = in.varint();
            v.responderPackets = in.varint();
            v.initiatorRetransmissions = in.varint();
            v.responderRetransmissions = in.varint();
            v.duplicates = in.varint();
            v.fragments = in.varint();
            v.errorNotify = in.varint();
            v.lastTs = in.time(base);
            v.lastFrame = in.varlong();
            v.lastSource = in.string();
            v.quickModes = new View.QuickMode[in.varint()];
            for (int i = 0; i < v.quickModes.length; i++) {
                View.QuickMode q = new View.QuickMode();
                q.messageId = in.fixed32();
                q.initiatorLength = in.varlong();
                q.initiatorTs = in.time(base);
                q.responderTs = in.time(base);
                q.third = in.varint() != 0;
                v.quickModes[i] = q;
            }
            v.signatures = new View.Signature[in.varint()];
            int own = v.probeId.hashCode();
            for (int i = 0; i < v.signatures.length; i++) {
                View.Signature g = new View.Signature();
                g.key = in.fixed32();
                g.max = in.varint();
                int probes = in.varint();
                g.probes = new int[probes];
                g.counts = new int[probes];
                for (int p = 0; p < probes; p++) {
                    g.probes[p] = in.varint() == 0 ? own : in.fixed32();
                    g.counts[p] = in.varint();
                }
                v.signatures[i] = g;
            }
            s.views.add(v);
        }
        return s;
    }

    private static final class Out {
        private byte[] buf = new byte[192];
        private int pos;

        private void ensure(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }

        void varlong(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void varint(int v) {
            varlong(v & 0xFFFFFFFFL);
        }

        void signed(long v) {
            varlong((v << 1) ^ (v >> 63));
        }

        /** A timestamp relative to the SA's first packet; NONE as 0, others shifted by one. */
        void time(long t, long base) {
            if (t == View.NONE) {
                varlong(0);
            } else {
                long d = t - base;
                varlong(((d << 1) ^ (d >> 63)) + 1);
            }
        }

        void fixed64(long v) {
            ensure(8);
            for (int i = 7; i >= 0; i--) {
                buf[pos++] = (byte) (v >>> (i * 8));
            }
        }

        void fixed32(int v) {
            ensure(4);
            for (int i = 3; i >= 0; i--) {
                buf[pos++] = (byte) (v >>> (i * 8));
            }
        }

        private final java.util.ArrayList<String> written = new java.util.ArrayList<>(12);

        /** null = 0; a string already written in this entry = 2 * index + 1; else 2 * (length + 1) and UTF-8. */
        void string(String s) {
            if (s == null) {
                varint(0);
                return;
            }
            for (int i = 0; i < written.size(); i++) {
                if (written.get(i).equals(s)) {
                    varint(2 * i + 1);
                    return;
                }
            }
            written.add(s);
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            varint(2 * (utf8.length + 1));
            ensure(utf8.length);
            System.arraycopy(utf8, 0, buf, pos, utf8.length);
            pos += utf8.length;
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, pos);
        }
    }

    private static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf) {
            this.buf = buf;
        }

        long varlong() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= buf.length) {
                    throw new SerializationException("sa-state: truncated");
                }
                byte b = buf[pos++];
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new SerializationException("sa-state: varint too long");
        }

        int varint() {
            return (int) varlong();
        }

        long signed() {
            long z = varlong();
            return (z >>> 1) ^ -(z & 1);
        }

        long time(long base) {
            long z = varlong();
            if (z == 0) {
                return View.NONE;
            }
            z -= 1;
            return base + ((z >>> 1) ^ -(z & 1));
        }

        long fixed64() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        int fixed32() {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        private final java.util.ArrayList<String> read = new java.util.ArrayList<>(12);

        String string() {
            int n = varint();
            if (n == 0) {
                return null;
            }
            if ((n & 1) == 1) {
                return read.get(n >>> 1);
            }
            int length = (n >>> 1) - 1;
            String s = new String(buf, pos, length, StandardCharsets.UTF_8);
            pos += length;
            read.add(s);
            return s;
        }
    }
}
