package io.natshift.synth;

import com.fasterxml.jackson.core.JsonGenerator;
import io.natshift.decode.Addresses;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns finished sessions into ground-truth entries (shifts, established SAs, address updates,
 * subscribers) and, at the end, the summary (options, files, gateways, pools, malformed frames).
 * Entries say what the written frames show: see {@link Attempt}.
 */
final class GroundTruth implements Closeable {
    private final TruthWriter writer;
    private final SynthOptions o;
    private final Topology topology;
    private final boolean outsideFile;
    private final long[] poolFloats;
    private final long[] poolShifts;
    private int shifts;
    private int established;

    GroundTruth(TruthWriter writer, SynthOptions options, Topology topology, boolean outsideFile) {
        this.writer = writer;
        this.o = options;
        this.topology = topology;
        this.outsideFile = outsideFile;
        this.poolFloats = new long[options.pools()];
        this.poolShifts = new long[options.pools()];
    }

    int shifts() {
        return shifts;
    }

    int established() {
        return established;
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    void subscriberDone(Session s) throws IOException {
        Subscriber sub = s.subscriber;
        JsonGenerator g = writer.subscribers();
        g.writeStartObject();
        g.writeStringField("subscriber", sub.name());
        g.writeStringField("inside", Addresses.format(sub.insideAddress));
        g.writeStringField("pool", sub.natted() ? sub.pool.name() : null);
        g.writeStringField("pooling", sub.natted() ? (sub.pool.arbitrary() ? "arbitrary" : "paired") : "none");
        g.writeStringField("gateway", Addresses.format(sub.ipv6 ? sub.gateway.ipv6() : sub.gateway.ipv4()));
        g.writeStringField("ike", ikeName(sub.ike));
        g.writeBooleanField("udp4500Blocked", sub.udp4500Blocked);
        g.writeArrayFieldStart("attempts");
        for (Attempt a : sub.attempts) {
            g.writeStartObject();
            g.writeStringField("initiatorSpi", hex(a.initiatorSpi));
            g.writeStringField("responderSpi", hex(a.responderSpi));
            g.writeStringField("result", a.resultText());
            g.writeEndObject();
            if (a.floatSeenOutside && sub.natted()) {
                poolFloats[sub.pool.index()]++;
            }
            if (a.shifted()) {
                shifts++;
                poolShifts[sub.pool.index()]++;
                shift(writer.shifts(), a);
            }
            if (a.established()) {
                established++;
                established(writer.establishedSas(), a);
            }
        }
        g.writeEndArray();
        g.writeEndObject();
        for (AddressUpdate u : s.updates) {
            if (u.frame < 0) {
                continue;   // never reached the gateway side within the capture
            }
            JsonGenerator w = writer.addressUpdates();
            w.writeStartObject();
            w.writeStringField("initiatorSpi", hex(u.sa.initiatorSpi));
            w.writeStringField("responderSpi", hex(u.sa.responderSpi));
            w.writeStringField("kind", u.kind);
            w.writeStringField("from", u.from.toString());
            w.writeStringField("to", u.to.toString());
            w.writeNumberField("timeMicros", u.micros);
            if (outsideFile) {
                w.writeNumberField("frame", u.frame);
            }
            w.writeEndObject();
        }
    }

    private void shift(JsonGenerator g, Attempt a) throws IOException {
        g.writeStartObject();
        g.writeStringField("initiatorSpi", hex(a.initiatorSpi));
        g.writeStringField("responderSpi", hex(a.responderSpi));
        g.writeNumberField("ikeVersion", a.ikeVersion);
        g.writeStringField("exchange", a.exchange);
        g.writeStringField("subscriber", a.subscriber.name());
        g.writeStringField("pool", a.subscriber.pool.name());
        g.writeStringField("before", a.before.toString());
        g.writeStringField("after", a.after.toString());
        g.writeStringField("gateway", Addresses.format(a.gateway.ipv4()));
        g.writeStringField("gatewayBehaviour", a.gateway.strict() ? "strict" : "follows-new-address");
        g.writeStringField("outcome", a.gatewayAnsweredFloat ? "recovered" : "failed");
        if (outsideFile) {
            g.writeArrayFieldStart("evidenceFrames");
            for (long f : a.evidence) {
                g.writeNumber(f);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private void established(JsonGenerator g, Attempt a) throws IOException {
        Subscriber sub = a.subscriber;
        g.writeStartObject();
        g.writeStringField("initiatorSpi", hex(a.initiatorSpi));
        g.writeStringField("responderSpi", hex(a.responderSpi));
        g.writeNumberField("ikeVersion", a.ikeVersion);
        g.writeStringField("exchange", a.exchange);
        g.writeStringField("subscriber", sub.name());
        g.writeStringField("gateway", Addresses.format(sub.ipv6 ? a.gateway.ipv6() : a.gateway.ipv4()));
        g.writeStringField("inside", new Endpoint(sub.insideAddress, Planner.IKE_PORT).toString());
        g.writeStringField("outside500", a.before == null ? null : a.before.toString());
        g.writeStringField("outside4500", a.floatSeenOutside ? a.after.toString() : null);
        g.writeBooleanField("shifted", a.shifted());
        g.writeNumberField("timeMicros", a.establishedMicros);
        if (outsideFile) {
            g.writeNumberField("frame", a.establishedFrame);
        }
        g.writeEndObject();
    }

    void summarize(SynthGenerator.Files4 f, VantageWriter outside, VantageWriter inside, long packets) {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("subscribers", o.subscribers());
        options.put("durationMicros", o.durationMicros());
        options.put("startMicros", o.startMicros());
        options.put("seed", o.seed());
        options.put("ike", ikeName(o.ike()));
        options.put("arbitraryPoolFraction", o.arbitraryPoolFraction());
        options.put("pools", o.pools());
        options.put("poolSize", o.poolSize());
        options.put("strictGatewayFraction", o.strictGatewayFraction());
        options.put("gateways", o.gateways());
        options.put("vantage", o.vantage().name().toLowerCase());
        options.put("ipv6Fraction", o.ipv6Fraction());
        options.put("loss", o.loss());
        options.put("udp4500BlockedFraction", o.udp4500BlockedFraction());
        options.put("overloadedGatewayFraction", o.overloadedGatewayFraction());
        options.put("addressUpdateFraction", o.addressUpdateFraction());
        options.put("malformedFraction", o.malformedFraction());
        options.put("espPacketsPerSecond", o.espPacketsPerSecond());
        options.put("maxAttempts", o.maxAttempts());
        writer.summary("options", options);

        Map<String, Object> files = new LinkedHashMap<>();
        if (f.outside() != null) {
            files.put("outside", Map.of("file", f.outside().getFileName().toString(), "frames", outside.frames()));
        }
        if (f.inside() != null) {
            files.put("inside", Map.of("file", f.inside().getFileName().toString(), "frames", inside.frames(),
                    "clockOffsetMicros", SynthGenerator.INSIDE_CLOCK_OFFSET_MICROS, "clockDriftPpm", SynthGenerator.DRIFT_PPM));
        }
        writer.summary("files", files);

        List<Object> gateways = new ArrayList<>();
        for (Topology.Gateway g : topology.gateways()) {
            gateways.add(Map.of("name", g.name(), "ipv4", Addresses.format(g.ipv4()), "ipv6", Addresses.format(g.ipv6()),
                    "behaviour", g.strict() ? "strict" : "follows-new-address", "overloaded", g.overloaded()));
        }
        writer.summary("gateways", gateways);

        List<Object> pools = new ArrayList<>();
        for (Topology.NatPool p : topology.pools()) {
            List<String> addresses = new ArrayList<>();
            for (byte[] a : p.addresses()) {
                addresses.add(Addresses.format(a));
            }
            Map<String, Object> pool = new LinkedHashMap<>();
            pool.put("name", p.name());
            pool.put("pooling", p.arbitrary() ? "arbitrary" : "paired");
            pool.put("addresses", addresses);
            pool.put("floats", poolFloats[p.index()]);
            pool.put("shifts", poolShifts[p.index()]);
            pools.add(pool);
        }
        writer.summary("pools", pools);

        Map<String, Object> malformed = new LinkedHashMap<>();
        if (f.outside() != null) {
            malformed.put("outside", malformed(outside));
        }
        if (inside != null) {
            malformed.put("inside", malformed(inside));
        }
        writer.summary("malformed", malformed);
        writer.summary("totals", Map.of("shifts", shifts, "establishedSas", established, "packets", packets));
    }

    private static Map<String, Object> malformed(VantageWriter w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", w.malformedCount);
        Map<String, Long> byReason = new LinkedHashMap<>();
        w.malformedByReason.forEach((k, v) -> byReason.put(k.name(), v));
        m.put("byReason", byReason);
        m.put("frames", w.malformedFrames);
        return m;
    }

    static String ikeName(SynthOptions.IkeMode m) {
        return switch (m) {
            case V1_MAIN -> "v1-main";
            case V1_AGGRESSIVE -> "v1-aggressive";
            case V2 -> "v2";
            case MIX -> "mix";
        };
    }

    static String hex(long spi) {
        return HexFormat.of().toHexDigits(spi);
    }
}
