package io.natshift.bench;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.Spi;

/**
 * IkePacket records of many concurrent subscribers for the topology benchmark, as a gateway-side
 * probe sees them: 80% IKEv1 aggressive + quick mode through a paired NAT, 5% of them shifted
 * (arbitrary pool, never answered on 4500, retransmissions), 15% IKEv2 with a paired float; the
 * established ones exchange DPD informationals afterwards. Deterministic for a seed.
 */
final class SyntheticSas {
    record Packet(long timestamp, byte[] key, IkePacket value) {
    }

    private static final String GATEWAY = "172.31.1.76";

    private final SplittableRandom random;
    private long shifted;
    private final java.util.Set<Long> shiftedSpis = new java.util.HashSet<>();

    SyntheticSas(long seed) {
        random = new SplittableRandom(seed);
    }

    long shifted() {
        return shifted;
    }

    /** True for the packet that shifts its SA (the initiator's first UDP 4500 packet of a shifted SA). */
    boolean isShiftedPacket(Packet p) {
        return p.value().getFrame() == 3 && p.value().getNatT()
                && shiftedSpis.contains(java.nio.ByteBuffer.wrap(p.key()).getLong());
    }

    /** {@code sas} subscribers starting {@code startsPerSecond} per second of capture time from {@code t0}, sorted by time. */
    List<Packet> generate(int sas, int startsPerSecond, long t0) {
        List<Packet> out = new ArrayList<>(sas * 11);
        for (int i = 0; i < sas; i++) {
            long t = t0 + (long) i * 1000 / startsPerSecond;
            long ispi = random.nextLong() | 1;
            long rspi = random.nextLong() | 1;
            String before = "100." + (64 + (i >> 16 & 63)) + "." + (i >> 8 & 0xff) + "." + (i & 0xff);
            int kind = random.nextInt(100);
            if (kind < 15) {
                ikev2(out, ispi, rspi, t, before);
            } else {
                boolean shift = kind < 20;
                ikev1(out, ispi, rspi, t, before, shift ? "198.18." + (i >> 8 & 0xff) + "." + (i & 0xff) : before, shift);
            }
        }
        out.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
        return out;
    }

    private void ikev1(List<Packet> out, long ispi, long rspi, long t, String before, String after, boolean shift) {
        int port = 1024 + random.nextInt(60000);
        long frame = 1;
        out.add(v1(frame++, t, ispi, 0, before, port, GATEWAY, 500, 4, 1, 0, 0, 400, false));
        out.add(v1(frame++, t + 30, ispi, rspi, GATEWAY, 500, before, port, 4, 1, 0, 0, 420, false));
        out.add(v1(frame++, t + 60, ispi, rspi, after, port + 1, GATEWAY, 4500, 4, 8, 1, 0, 92, true));
        out.add(v1(frame++, t + 70, ispi, rspi, after, port + 1, GATEWAY, 4500, 32, 8, 1, 77, 300, true));
        if (shift) {
            shifted++;
            shiftedSpis.add(ispi);
            out.add(v1(frame++, t + 5030, ispi, rspi, GATEWAY, 500, before, port, 4, 1, 0, 0, 420, false));
            out.add(v1(frame++, t + 3070, ispi, rspi, after, port + 1, GATEWAY, 4500, 5, 90, 1, 9, 76, true));
            out.add(v1(frame++, t + 5090, ispi, rspi, after, port + 1, GATEWAY, 4500, 4, 8, 1, 0, 92, true));
            out.add(v1(frame++, t + 5150, ispi, rspi, after, port + 1, GATEWAY, 4500, 32, 8, 1, 77, 300, true));
            out.add(v1(frame, t + 8150, ispi, rspi, after, port + 1, GATEWAY, 4500, 5, 90, 1, 10, 76, true));
            return;
        }
        out.add(v1(frame++, t + 100, ispi, rspi, GATEWAY, 4500, after, port + 1, 32, 8, 1, 77, 302, true));
        out.add(v1(frame++, t + 130, ispi, rspi, after, port + 1, GATEWAY, 4500, 32, 8, 1, 77, 60, true));
        for (int dpd = 1; dpd <= 2; dpd++) {   // R-U-THERE / ACK every 10 s
            long at = t + 130 + dpd * 10_000L;
            out.add(v1(frame++, at, ispi, rspi, after, port + 1, GATEWAY, 4500, 5, 8, 1, 1000 + dpd, 92, true));
            out.add(v1(frame++, at + 25, ispi, rspi, GATEWAY, 4500, after, port + 1, 5, 8, 1, 2000 + dpd, 92, true));
        }
    }

    private void ikev2(List<Packet> out, long ispi, long rspi, long t, String before) {
        int port = 1024 + random.nextInt(60000);
        long frame = 1;
        out.add(v2(frame++, t, ispi, 0, before, port, GATEWAY, 500, 34, 0x08, 0, 33, 500, false));
        out.add(v2(frame++, t + 40, ispi, rspi, GATEWAY, 500, before, port, 34, 0x20, 0, 33, 480, false));
        out.add(v2(frame++, t + 80, ispi, rspi, before, port + 1, GATEWAY, 4500, 35, 0x08, 1, 46, 900, true));
        out.add(v2(frame++, t + 150, ispi, rspi, GATEWAY, 4500, before, port + 1, 35, 0x20, 1, 46, 800, true));
        for (int dpd = 1; dpd <= 3; dpd++) {
            long at = t + 150 + dpd * 10_000L;
            out.add(v2(frame++, at, ispi, rspi, before, port + 1, GATEWAY, 4500, 37, 0x08, 1 + dpd, 46, 80, true));
            out.add(v2(frame++, at + 20, ispi, rspi, GATEWAY, 4500, before, port + 1, 37, 0x20, 1 + dpd, 46, 80, true));
        }
    }

    private static Packet v1(long frame, long t, long ispi, long rspi, String src, int sport, String dst, int dport, int ex,
                             int next, int flags, long msgId, long length, boolean natT) {
        return packet(frame, t, ispi, rspi, src, sport, dst, dport, 1, ex, next, flags, msgId, length, natT);
    }

    private static Packet v2(long frame, long t, long ispi, long rspi, String src, int sport, String dst, int dport, int ex,
                             int flags, long msgId, int next, long length, boolean natT) {
        return packet(frame, t, ispi, rspi, src, sport, dst, dport, 2, ex, next, flags, msgId, length, natT);
    }

    private static Packet packet(long frame, long t, long ispi, long rspi, String src, int sport, String dst, int dport,
                                 int version, int ex, int next, int flags, long msgId, long length, boolean natT) {
        byte[] key = ByteBuffer.allocate(8).putLong(ispi).array();
        IkePacket p = IkePacket.newBuilder()
                .setProbeId("bench-probe").setSource("synthetic").setFrame(frame)
                .setTimestampMicros(Instant.ofEpochMilli(t))
                .setSrcAddr(src).setSrcPort(sport).setDstAddr(dst).setDstPort(dport).setNatT(natT)
                .setInitiatorSpi(new Spi(key)).setResponderSpi(new Spi(ByteBuffer.allocate(8).putLong(rspi).array()))
                .setMajorVersion(version).setMinorVersion(0).setExchangeType(ex).setFlags(flags).setMessageId(msgId)
                .setNextPayload(next).setLength(length).setEncrypted((flags & 1) != 0 || next == 46)
                .setPayloads(List.of(next)).setNotifyTypes(List.of()).setVendorIds(List.of())
                .setNatDetection(ex == 34 || (ex == 4 && next == 1)).setIpFragment(false).setIkeFragment(false)
                .setFrameLength((int) length + 42).setVantage("gateway")
                .build();
        return new Packet(t, key, p);
    }
}
