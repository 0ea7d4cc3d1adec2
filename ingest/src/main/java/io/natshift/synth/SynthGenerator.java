package io.natshift.synth;

import io.natshift.capture.PcapWriter;
import io.natshift.decode.LinkType;
import io.natshift.decode.RejectReason;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * Writes a synthetic capture (one file per vantage) and its ground truth. Subscribers start in time
 * order and their sessions are merged through a priority queue keyed by each session's next packet,
 * so packets stream out in time order and memory depends on the sessions alive at once, not on the
 * number of packets.
 */
public final class SynthGenerator {
    /** Inside probe clock: ahead of the gateway-side probe by this much, drifting by {@link #DRIFT_PPM}. */
    static final long INSIDE_CLOCK_OFFSET_MICROS = 1_750L;
    static final long DRIFT_PPM = 20;
    static final int TTL_CLIENT_OUTSIDE = 52;
    static final int TTL_GATEWAY_OUTSIDE = 64;
    static final int TTL_CLIENT_INSIDE = 64;
    static final int TTL_GATEWAY_INSIDE = 50;
    static final int PROGRESS_EVERY = 1 << 16;
    private static final byte[] KEEPALIVE = {(byte) 0xFF};

    public record Files4(Path outside, Path inside, Path truth) {
    }

    /**
     * @param maxSessions   most sessions in the agenda at once (bounded by the subscribers, not the packets)
     * @param maxReordering most inside-probe frames held for reordering at once (packets of one latency)
     */
    public record Summary(long outsideFrames, long insideFrames, long packets, int shifts, int established,
                          long maxSessions, int maxReordering) {
    }

    private final SynthOptions o;
    private final Topology topology;
    private final Planner planner;
    private final Frames frames = new Frames();
    private final ByteSink payload = new ByteSink(2048);
    private final byte[] cipherPool = new byte[1 << 16];
    private final SplittableRandom malformedRandom;
    private long packets;
    private long maxSessions;

    public SynthGenerator(SynthOptions options) {
        this.o = options;
        this.topology = new Topology(options);
        this.planner = new Planner(options);
        SplittableRandom r = new SplittableRandom(options.seed() ^ 0x5EED_C1F3E2L);
        for (int i = 0; i < cipherPool.length; i++) {
            cipherPool[i] = (byte) r.nextInt(256);
        }
        this.malformedRandom = new SplittableRandom(options.seed() ^ 0xBADF_00DL);
    }

    /** File names: {@code X.pcap} for one vantage, {@code X-inside.pcap} / {@code X-outside.pcap} for both; truth {@code X.truth.json}. */
    public static Files4 files(Path out, SynthOptions.Vantage vantage) {
        String name = out.getFileName().toString();
        String stem = name.endsWith(".pcap") ? name.substring(0, name.length() - 5) : name;
        Path dir = out.toAbsolutePath().getParent();
        Path truth = dir.resolve(stem + ".truth.json");
        return switch (vantage) {
            case OUTSIDE -> new Files4(out, null, truth);
            case INSIDE -> new Files4(null, out, truth);
            case BOTH -> new Files4(dir.resolve(stem + "-outside.pcap"), dir.resolve(stem + "-inside.pcap"), truth);
        };
    }

    public Summary generate(Path out, LongConsumer progress) throws IOException {
        Files4 f = files(out, o.vantage());
        Files.createDirectories(f.truth().getParent());
        try (VantageWriter outside = new VantageWriter("outside", open(f.outside()), false);
             VantageWriter inside = f.inside() == null ? null : new VantageWriter("inside", open(f.inside()), true);
             GroundTruth truth = new GroundTruth(new TruthWriter(f.truth()), o, topology, outside.writesFile())) {
            run(outside, inside, truth, progress);
            outside.close();
            if (inside != null) {
                inside.close();
            }
            truth.summarize(f, outside, inside, packets);
            return new Summary(outside.frames(), inside == null ? 0 : inside.frames(), packets, truth.shifts(),
                    truth.established(), maxSessions, inside == null ? 0 : inside.maxHeld);
        }
    }

    private static PcapWriter open(Path p) throws IOException {
        return p == null ? null : new PcapWriter(Files.newOutputStream(p), LinkType.ETHERNET);
    }

    private void run(VantageWriter outside, VantageWriter inside, GroundTruth truth, LongConsumer progress)
            throws IOException {
        SplittableRandom master = new SplittableRandom(o.seed());
        SessionQueue queue = new SessionQueue();
        // Subscribers arrive over the first half of the capture, in order.
        long spread = o.durationMicros() / 2;
        int admitted = 0;
        long nextStart = o.startMicros() + (long) (master.nextDouble() * spread / o.subscribers());
        while (true) {
            long head = queue.peekTime();
            if (admitted < o.subscribers() && nextStart <= head) {
                Session s = new Session(subscriber(admitted, master), o, master.nextLong(), nextStart, planner);
                admitted++;
                nextStart = o.startMicros() + (long) ((admitted + master.nextDouble()) * spread / o.subscribers());
                long next = s.peekTime();
                if (next == Session.NEVER) {
                    truth.subscriberDone(s);
                } else {
                    queue.add(s, next);
                }
                continue;
            }
            if (head == Session.NEVER) {
                break;
            }
            maxSessions = Math.max(maxSessions, queue.size());
            Session s = queue.peek();
            Emission e = s.next();
            if (e != null) {
                write(e, outside, inside);
                if (progress != null && packets % PROGRESS_EVERY == 0) {
                    progress.accept(e.time);
                }
            }
            long next = s.peekTime();
            if (next == Session.NEVER) {
                queue.poll();
                truth.subscriberDone(s);
            } else {
                queue.requeueHead(next);
            }
        }
    }

    private Subscriber subscriber(int i, SplittableRandom r) {
        boolean ipv6 = r.nextDouble() < o.ipv6Fraction();
        Topology.NatPool pool = topology.pools().get(i % o.pools());
        Topology.Gateway gateway = topology.gateways().get(r.nextInt(o.gateways()));
        SynthOptions.IkeMode ike = o.ike() == SynthOptions.IkeMode.MIX
                ? SynthOptions.IkeMode.values()[r.nextInt(3)] : o.ike();
        boolean blocked = !ipv6 && r.nextDouble() < o.udp4500BlockedFraction();
        long latency = r.nextLong(10_000L, 80_000L);
        byte[] paired = pool.addresses()[r.nextInt(pool.addresses().length)];
        return new Subscriber(i, Topology.subscriberAddress(i, ipv6), ipv6, pool, gateway, ike, blocked, latency, paired);
    }

    // ---- frames ----

    private void write(Emission e, VantageWriter outside, VantageWriter inside) throws IOException {
        packets++;
        long t = e.time;
        if (e.seenOutside()) {
            build(e, e.clientOutside, e.toGateway ? TTL_CLIENT_OUTSIDE : TTL_GATEWAY_OUTSIDE);
            long frame = outside.write(t, frames.frame(), frames.length(), null);
            if (e.attempt != null) {
                e.attempt.seenOutside(e, frame);
            }
            if (e.update != null && e.update.frame < 0) {
                e.update.frame = frame;
                e.update.micros = t;
            }
            if (outside.writesFile()) {
                maybeMalformed(e, e.clientOutside, e.toGateway ? TTL_CLIENT_OUTSIDE : TTL_GATEWAY_OUTSIDE, outside, t);
            }
        }
        if (inside != null) {
            long skew = INSIDE_CLOCK_OFFSET_MICROS + (t - o.startMicros()) * DRIFT_PPM / 1_000_000L;
            if (e.seenInside()) {
                long ti = t + skew + (e.toGateway ? -e.latencyMicros : e.latencyMicros);
                build(e, e.clientInside, e.toGateway ? TTL_CLIENT_INSIDE : TTL_GATEWAY_INSIDE);
                inside.write(ti, frames.frame(), frames.length(), null);
                maybeMalformed(e, e.clientInside, e.toGateway ? TTL_CLIENT_INSIDE : TTL_GATEWAY_INSIDE, inside, ti);
            }
            inside.flushUpTo(t + skew - VantageWriter.MAX_LATENCY_MICROS);
        }
    }

    private void build(Emission e, Endpoint client, int ttl) {
        Endpoint src = e.toGateway ? client : e.gateway;
        Endpoint dst = e.toGateway ? e.gateway : client;
        ByteSink p = payload;
        p.clear();
        switch (e.kind) {
            case Emission.IKE -> {
                if (e.natT) {
                    p.u32(0);   // RFC 3948 2.2 non-ESP marker
                }
                p.bytes(e.ike);
            }
            case Emission.KEEPALIVE -> p.bytes(KEEPALIVE);
            default -> {
                // RFC 4303 2: SPI, sequence number, then payload (IV, ciphertext, ICV) that a probe cannot read.
                p.u32(e.espSpi & 0xFFFFFFFFL).u32(e.espSeq & 0xFFFFFFFFL);
                int at = (int) ((e.espSeq * 7919 + e.espSpi) & 0x7FFF);
                p.bytes(cipherPool, at, e.espSize);
                if (!e.natT) {
                    frames.esp(src, dst, ttl, p.array(), 0, p.size());
                } else {
                    frames.udp(src, dst, ttl, p.array(), 0, p.size(), false);
                }
                return;
            }
        }
        frames.udp(src, dst, ttl, p.array(), 0, p.size());
    }

    /** A deliberately broken copy of an IKE frame, counted by the rejection our decoder must give it. */
    private void maybeMalformed(Emission e, Endpoint client, int ttl, VantageWriter w, long t) throws IOException {
        if (e.kind != Emission.IKE || o.malformedFraction() == 0 || malformedRandom.nextDouble() >= o.malformedFraction()) {
            return;
        }
        byte[] ike = e.ike.clone();
        // Only a cleartext payload chain can carry a bad payload length our decoder sees.
        boolean v1 = (ike[17] & 0xF0) == IkeV1Messages.VERSION;
        boolean cleartext = v1
                ? (ike[19] & IkeV1Messages.FLAG_ENCRYPTION) == 0 && ike[IkeWriter.NEXT_PAYLOAD_OFFSET] != 0
                : ike[18] == IkeV2Messages.IKE_SA_INIT;
        RejectReason reason = switch (malformedRandom.nextInt(cleartext ? 4 : 3)) {
            case 0 -> RejectReason.TRUNCATED_HEADER;
            case 1 -> RejectReason.LENGTH_MISMATCH;
            case 2 -> RejectReason.UNKNOWN_VERSION;
            default -> RejectReason.BAD_PAYLOAD_LENGTH;
        };
        int length = ike.length;
        switch (reason) {
            case TRUNCATED_HEADER -> length = 16;
            case LENGTH_MISMATCH -> Frames.put32(ike, IkeWriter.LENGTH_OFFSET, ike.length + 64);
            case UNKNOWN_VERSION -> ike[17] = 0x30;
            default -> Frames.put16(ike, IkeWriter.HEADER_SIZE + 2, 2);
        }
        ByteSink p = payload;
        p.clear();
        if (e.natT) {
            p.u32(0);
        }
        p.bytes(ike, 0, length);
        Endpoint src = e.toGateway ? client : e.gateway;
        Endpoint dst = e.toGateway ? e.gateway : client;
        frames.udp(src, dst, ttl, p.array(), 0, p.size());
        w.write(t, frames.frame(), frames.length(), reason);
    }
}
