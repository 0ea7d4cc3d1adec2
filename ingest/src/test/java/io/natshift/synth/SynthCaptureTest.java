package io.natshift.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natshift.capture.CaptureFiles;
import io.natshift.capture.CaptureReader;
import io.natshift.decode.DecodeResult;
import io.natshift.decode.FrameDecoder;
import io.natshift.decode.IkeMessage;
import io.natshift.decode.LinkType;
import io.natshift.decode.SkipReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Captures written by the generator, read back from disk with an independent pcap reader and our
 * decoder: the truth file must state what the frames show, recomputed here from decoded packets.
 */
class SynthCaptureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static SynthOptions.Builder small() {
        return SynthOptions.builder().subscribers(40).durationMicros(240_000_000L).seed(7).espPacketsPerSecond(0.5);
    }

    static Stream<Arguments> everyOption() {
        Map<String, UnaryOperator<SynthOptions.Builder>> cases = new LinkedHashMap<>();
        cases.put("ike v1-main", b -> b.ike(SynthOptions.IkeMode.V1_MAIN));
        cases.put("ike v1-aggressive", b -> b.ike(SynthOptions.IkeMode.V1_AGGRESSIVE));
        cases.put("ike v2", b -> b.ike(SynthOptions.IkeMode.V2));
        cases.put("ike mix", b -> b.ike(SynthOptions.IkeMode.MIX));
        cases.put("pooling paired", b -> b.arbitraryPoolFraction(0));
        cases.put("pooling mix:0.5, 4 pools", b -> b.arbitraryPoolFraction(0.5).pools(4).poolSize(4));
        cases.put("gateway follows-new-address", b -> b.strictGatewayFraction(0));
        cases.put("gateway mix:0.5", b -> b.strictGatewayFraction(0.5).gateways(4));
        cases.put("vantage inside", b -> b.vantage(SynthOptions.Vantage.INSIDE));
        cases.put("vantage both", b -> b.vantage(SynthOptions.Vantage.BOTH));
        cases.put("loss", b -> b.loss(0.05));
        cases.put("udp4500 blocked", b -> b.udp4500BlockedFraction(0.3));
        cases.put("overloaded gateways", b -> b.overloadedGatewayFraction(0.5).gateways(2));
        cases.put("address updates", b -> b.addressUpdateFraction(0.5).strictGatewayFraction(0.5).durationMicros(400_000_000L));
        cases.put("malformed", b -> b.malformedFraction(0.05));
        cases.put("ipv6 half", b -> b.ipv6Fraction(0.5));
        cases.put("all faults, both vantages", b -> b.vantage(SynthOptions.Vantage.BOTH).loss(0.02).udp4500BlockedFraction(0.1)
                .overloadedGatewayFraction(0.5).addressUpdateFraction(0.3).malformedFraction(0.02).strictGatewayFraction(0.5)
                .arbitraryPoolFraction(0.5));
        return cases.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue().apply(small()).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOption")
    void shouldDecodeEveryFrameExceptTheCountedMalformedOnesWhenGenerated(String name, SynthOptions options) throws IOException {
        Path out = dir.resolve("c.pcap");
        new SynthGenerator(options).generate(out, null);
        SynthGenerator.Files4 files = SynthGenerator.files(out, options.vantage());
        JsonNode truth = JSON.readTree(files.truth().toFile());
        for (String vantage : List.of("outside", "inside")) {
            Path file = vantage.equals("outside") ? files.outside() : files.inside();
            if (file == null) {
                continue;
            }
            Decoded d = Decoded.read(file);
            JsonNode malformed = truth.path("malformed").path(vantage);
            List<Long> expectedFrames = new ArrayList<>();
            malformed.path("frames").forEach(f -> expectedFrames.add(f.asLong()));
            assertThat(d.rejectedFrames).as("%s %s: rejected frames", name, vantage).isEqualTo(expectedFrames);
            Map<String, Long> expectedReasons = new TreeMap<>();
            malformed.path("byReason").fields().forEachRemaining(e -> expectedReasons.put(e.getKey(), e.getValue().asLong()));
            assertThat(d.rejectedByReason).as("%s %s: rejections by reason", name, vantage).isEqualTo(expectedReasons);
            assertThat(d.frames).isEqualTo(truth.path("files").path(vantage).path("frames").asLong());
            assertThat(d.timeWentBackwardsAt).as("%s %s: timestamps never go backwards", name, vantage).isEqualTo(-1);
            assertThat(d.ike).as("%s %s: IKE messages", name, vantage).isNotEmpty();
            if (options.malformedFraction() > 0) {
                assertThat(expectedFrames).as("malformed frames were sprinkled").isNotEmpty();
            } else {
                assertThat(expectedFrames).isEmpty();
            }
        }
        if (files.outside() != null) {
            assertTruthMatchesOutsideCapture(Decoded.read(files.outside()), truth, options);
        }
    }

    @Test
    void shouldWriteByteIdenticalFilesWhenTheSeedIsTheSame() throws IOException {
        SynthOptions options = small().vantage(SynthOptions.Vantage.BOTH).malformedFraction(0.02).loss(0.02)
                .addressUpdateFraction(0.3).build();
        Path a = dir.resolve("a").resolve("x.pcap");
        Path b = dir.resolve("b").resolve("x.pcap");
        Path c = dir.resolve("c").resolve("x.pcap");
        Files.createDirectories(a.getParent());
        Files.createDirectories(b.getParent());
        Files.createDirectories(c.getParent());
        new SynthGenerator(options).generate(a, null);
        new SynthGenerator(options).generate(b, null);
        new SynthGenerator(options.toBuilder().seed(8).build()).generate(c, null);
        for (String f : List.of("x-outside.pcap", "x-inside.pcap", "x.truth.json")) {
            assertThat(Files.readAllBytes(a.resolveSibling(f))).as(f).isEqualTo(Files.readAllBytes(b.resolveSibling(f)));
            assertThat(Files.readAllBytes(a.resolveSibling(f))).as(f).isNotEqualTo(Files.readAllBytes(c.resolveSibling(f)));
        }
    }

    @Test
    void shouldShowTheSameCookiesFromPrivateAndPublicAddressesWhenBothVantagesAreWritten() throws IOException {
        SynthOptions options = small().vantage(SynthOptions.Vantage.BOTH).ipv6Fraction(0).build();
        Path out = dir.resolve("v.pcap");
        new SynthGenerator(options).generate(out, null);
        Decoded outside = Decoded.read(dir.resolve("v-outside.pcap"));
        Decoded inside = Decoded.read(dir.resolve("v-inside.pcap"));
        Set<Long> outsideSpis = new HashSet<>();
        Set<Long> insideSpis = new HashSet<>();
        outside.ike.forEach(m -> outsideSpis.add(m.message.initiatorSpi()));
        inside.ike.forEach(m -> insideSpis.add(m.message.initiatorSpi()));
        assertThat(insideSpis).isEqualTo(outsideSpis);
        for (Frame f : inside.ike) {
            String client = fromGateway(f.message) ? f.message.dstAddrText() : f.message.srcAddrText();
            assertThat(client).startsWith("100.64.");
        }
        for (Frame f : outside.ike) {
            String client = fromGateway(f.message) ? f.message.dstAddrText() : f.message.srcAddrText();
            assertThat(client).startsWith("203.0.113.");
        }
        // Clocks slightly skewed: the same message is stamped within offset + one-way latency on both sides.
        Map<String, Long> firstOutside = new HashMap<>();
        outside.ike.forEach(f -> firstOutside.putIfAbsent(key(f.message), f.micros));
        int compared = 0;
        Map<String, Long> firstInside = new HashMap<>();
        inside.ike.forEach(f -> firstInside.putIfAbsent(key(f.message), f.micros));
        for (Map.Entry<String, Long> e : firstInside.entrySet()) {
            Long o = firstOutside.get(e.getKey());
            if (o != null) {
                assertThat(Math.abs(e.getValue() - o)).isLessThan(VantageWriter.MAX_LATENCY_MICROS + 20_000);
                assertThat(e.getValue()).isNotEqualTo(o);
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(100);
    }

    @Test
    void shouldFloatWithoutShiftingWhenThePoolIsPaired() throws IOException {
        SynthOptions options = small().arbitraryPoolFraction(0).ipv6Fraction(0).build();
        Path out = dir.resolve("p.pcap");
        new SynthGenerator(options).generate(out, null);
        JsonNode truth = JSON.readTree(dir.resolve("p.truth.json").toFile());
        assertThat(truth.path("shifts")).isEmpty();
        assertThat(truth.path("establishedSas").size()).isEqualTo(40);
        assertThat(truth.path("pools").get(0).path("floats").asLong()).isGreaterThan(0);
    }

    @Test
    void shouldRecoverEveryShiftWhenGatewaysFollowTheNewAddress() throws IOException {
        SynthOptions options = small().strictGatewayFraction(0).ipv6Fraction(0).build();
        Path out = dir.resolve("f.pcap");
        new SynthGenerator(options).generate(out, null);
        JsonNode truth = JSON.readTree(dir.resolve("f.truth.json").toFile());
        assertThat(truth.path("shifts").size()).isGreaterThan(20);
        truth.path("shifts").forEach(s -> assertThat(s.path("outcome").asText()).isEqualTo("recovered"));
        assertThat(truth.path("establishedSas").size()).isEqualTo(40);
    }

    @Test
    void shouldRetryWithNewCookiesAfterAFailedShiftWhenTheGatewayIsStrict() throws IOException {
        SynthOptions options = small().strictGatewayFraction(1).ipv6Fraction(0).build();
        Path out = dir.resolve("s.pcap");
        new SynthGenerator(options).generate(out, null);
        JsonNode truth = JSON.readTree(dir.resolve("s.truth.json").toFile());
        int retried = 0;
        for (JsonNode sub : truth.path("subscribers")) {
            JsonNode attempts = sub.path("attempts");
            for (int i = 0; i + 1 < attempts.size(); i++) {
                assertThat(attempts.get(i).path("result").asText()).isNotEqualTo("established");
                assertThat(attempts.get(i + 1).path("initiatorSpi").asText()).isNotEqualTo(attempts.get(i).path("initiatorSpi").asText());
                retried++;
            }
        }
        assertThat(retried).isGreaterThan(20);
        truth.path("shifts").forEach(s -> assertThat(s.path("outcome").asText()).isEqualTo("failed"));
    }

    @Test
    void shouldHoldNoMoreStateWhenTheCaptureHasTenTimesThePackets() throws IOException {
        SynthOptions base = small().vantage(SynthOptions.Vantage.BOTH).ipv6Fraction(0).strictGatewayFraction(0).build();
        SynthGenerator.Summary few = new SynthGenerator(base.toBuilder().espPacketsPerSecond(0.2).build())
                .generate(dir.resolve("few.pcap"), null);
        SynthGenerator.Summary many = new SynthGenerator(base.toBuilder().espPacketsPerSecond(10).build())
                .generate(dir.resolve("many.pcap"), null);

        assertThat(many.packets()).isGreaterThan(10 * few.packets());
        assertThat(many.maxSessions()).isLessThanOrEqualTo(base.subscribers());
        assertThat(few.maxSessions()).isLessThanOrEqualTo(base.subscribers());
        // The inside probe's reorder buffer holds the packets of one latency, not of the capture.
        assertThat(many.maxReordering()).isLessThan((int) (many.packets() / 100));
    }

    // ---- recomputing the truth from decoded packets ----

    private static void assertTruthMatchesOutsideCapture(Decoded d, JsonNode truth, SynthOptions options) {
        Set<String> gateways = new HashSet<>();
        truth.path("gateways").forEach(g -> {
            gateways.add(g.path("ipv4").asText());
            gateways.add(g.path("ipv6").asText());
        });
        Map<Long, SaView> sas = new LinkedHashMap<>();
        for (Frame f : d.ike) {
            IkeMessage m = f.message;
            SaView sa = sas.computeIfAbsent(m.initiatorSpi(), k -> new SaView());
            boolean fromGw = gateways.contains(m.srcAddrText());
            String client = fromGw ? endpoint(m.dstAddrText(), m.dstPort()) : endpoint(m.srcAddrText(), m.srcPort());
            if (m.responderSpi() != 0) {
                sa.responderSpi = m.responderSpi();
            }
            if (!m.natT() && sa.before == null) {
                sa.before = client;
            }
            if (m.natT() && !fromGw && sa.after == null) {
                sa.after = client;
            }
            if (m.natT() && fromGw && client.equals(sa.after)) {
                sa.gatewayAnsweredAfter = true;
            }
            boolean finalResponse = fromGw && (m.majorVersion() == 1 ? m.exchangeType() == IkeV1Messages.QUICK
                    : m.exchangeType() == IkeV2Messages.IKE_AUTH && (m.flags() & IkeV2Messages.FLAG_RESPONSE) != 0);
            if (finalResponse && sa.establishedFrame < 0) {
                sa.establishedFrame = f.number;
            }
            if (sa.establishedFrame >= 0 && f.number > sa.establishedFrame && m.natT() && !fromGw
                    && !client.equals(sa.after) && !client.equals(sa.updatedTo)) {
                sa.updatedTo = client;
            }
        }
        Set<String> expectedShifts = new HashSet<>();
        Set<String> expectedEstablished = new HashSet<>();
        Set<String> expectedUpdates = new HashSet<>();
        Map<String, long[]> poolCounts = new HashMap<>();
        Map<String, String> poolOfAddress = new HashMap<>();
        truth.path("pools").forEach(p -> p.path("addresses").forEach(a -> poolOfAddress.put(a.asText(), p.path("name").asText())));
        sas.forEach((spi, sa) -> {
            String id = hex(spi) + "/" + hex(sa.responderSpi);
            if (sa.after != null && sa.before != null) {
                String pool = poolOfAddress.get(address(sa.before));
                long[] c = poolCounts.computeIfAbsent(pool, k -> new long[2]);
                c[0]++;
                if (!address(sa.after).equals(address(sa.before))) {
                    c[1]++;
                    expectedShifts.add(id + " " + sa.before + " -> " + sa.after + " " + (sa.gatewayAnsweredAfter ? "recovered" : "failed"));
                }
            }
            if (sa.establishedFrame >= 0) {
                expectedEstablished.add(id + " @" + sa.establishedFrame);
            }
            if (sa.updatedTo != null) {
                expectedUpdates.add(id + " -> " + sa.updatedTo);
            }
        });
        Set<String> truthShifts = new HashSet<>();
        truth.path("shifts").forEach(s -> truthShifts.add(s.path("initiatorSpi").asText() + "/" + s.path("responderSpi").asText()
                + " " + s.path("before").asText() + " -> " + s.path("after").asText() + " " + s.path("outcome").asText()));
        assertThat(truthShifts).as("shifts").isEqualTo(expectedShifts);
        Set<String> truthEstablished = new HashSet<>();
        truth.path("establishedSas").forEach(s -> truthEstablished.add(s.path("initiatorSpi").asText() + "/"
                + s.path("responderSpi").asText() + " @" + s.path("frame").asLong()));
        assertThat(truthEstablished).as("established SAs").isEqualTo(expectedEstablished);
        Set<String> truthUpdates = new HashSet<>();
        truth.path("addressUpdates").forEach(s -> truthUpdates.add(s.path("initiatorSpi").asText() + "/"
                + s.path("responderSpi").asText() + " -> " + s.path("to").asText()));
        assertThat(truthUpdates).as("address updates").isEqualTo(expectedUpdates);
        truth.path("pools").forEach(p -> {
            long[] c = poolCounts.getOrDefault(p.path("name").asText(), new long[2]);
            assertThat(p.path("floats").asLong()).as("%s floats", p.path("name").asText()).isEqualTo(c[0]);
            assertThat(p.path("shifts").asLong()).as("%s shifts", p.path("name").asText()).isEqualTo(c[1]);
        });
        // Evidence frames name packets of the shifted SA.
        Map<Long, Frame> byNumber = new HashMap<>();
        d.ike.forEach(f -> byNumber.put(f.number, f));
        truth.path("shifts").forEach(s -> s.path("evidenceFrames").forEach(n -> {
            Frame f = byNumber.get(n.asLong());
            assertThat(f).as("evidence frame %d is IKE", n.asLong()).isNotNull();
            assertThat(hex(f.message.initiatorSpi())).isEqualTo(s.path("initiatorSpi").asText());
        }));
        int attempts = 0;
        for (JsonNode sub : truth.path("subscribers")) {
            attempts += sub.path("attempts").size();
        }
        assertThat(truth.path("subscribers").size()).isEqualTo(options.subscribers());
        assertThat(attempts).isGreaterThanOrEqualTo(options.subscribers());
    }

    private static final class SaView {
        long responderSpi;
        String before;
        String after;
        boolean gatewayAnsweredAfter;
        long establishedFrame = -1;
        String updatedTo;
    }

    private static String endpoint(String ip, int port) {
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;
    }

    private static String address(String endpoint) {
        return endpoint == null ? null : endpoint.substring(0, endpoint.lastIndexOf(':'));
    }

    private static boolean fromGateway(IkeMessage m) {
        return m.srcAddrText().startsWith("198.51.100.");
    }

    private static String key(IkeMessage m) {
        return hex(m.initiatorSpi()) + hex(m.responderSpi()) + m.exchangeType() + "/" + m.messageId() + "/" + m.flags()
                + "/" + m.length() + "/" + fromGateway(m);
    }

    static String hex(long v) {
        return HexFormat.of().toHexDigits(v);
    }

    record Frame(long number, long micros, IkeMessage message) {
    }

    /** Every frame of a capture through our decoder. */
    static final class Decoded {
        long frames;
        final List<Frame> ike = new ArrayList<>();
        final List<Long> rejectedFrames = new ArrayList<>();
        final Map<String, Long> rejectedByReason = new TreeMap<>();
        final Map<SkipReason, Long> skipped = new TreeMap<>();
        long timeWentBackwardsAt = -1;

        static Decoded read(Path file) throws IOException {
            Decoded d = new Decoded();
            FrameDecoder decoder = new FrameDecoder();
            long last = Long.MIN_VALUE;
            try (CaptureReader reader = CaptureFiles.open(file)) {
                while (reader.next()) {
                    d.frames++;
                    if (reader.timestampMicros() < last && d.timeWentBackwardsAt < 0) {
                        d.timeWentBackwardsAt = reader.frameNumber();
                    }
                    last = reader.timestampMicros();
                    assertThat(reader.linkType()).isEqualTo(LinkType.ETHERNET);
                    DecodeResult result = decoder.decode(reader.buffer(), reader.offset(), reader.length(), reader.linkType());
                    long frame = reader.frameNumber();
                    if (result instanceof IkeMessage m) {
                        d.ike.add(new Frame(frame, reader.timestampMicros(), m));
                    } else if (result instanceof DecodeResult.Rejected rejected) {
                        d.rejectedFrames.add(frame);
                        d.rejectedByReason.merge(rejected.reason().name(), 1L, Long::sum);
                    } else if (result instanceof DecodeResult.Skipped sk) {
                        d.skipped.merge(sk.reason(), 1L, Long::sum);
                    }
                }
            }
            return d;
        }
    }
}
