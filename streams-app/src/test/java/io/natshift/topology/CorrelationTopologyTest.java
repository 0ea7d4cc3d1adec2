package io.natshift.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.natshift.schemas.Serdes;
import io.natshift.schemas.Topics;
import io.natshift.schemas.avro.GatewayStats;
import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.NatBinding;
import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.PoolStats;
import io.natshift.schemas.avro.ProbeHeartbeat;
import io.natshift.schemas.avro.SessionSummary;
import io.natshift.schemas.avro.SubscriberStats;
import io.natshift.synth.SynthGenerator;
import io.natshift.synth.SynthOptions;
import io.natshift.topology.correlation.CorrelationConfig;

/** Cross-vantage bindings, the inside-only stall, pools, verdicts, windows and privacy, with explicit timestamps. */
class CorrelationTopologyTest {
    private static final long AFTER_TIMEOUTS = 250_000;
    static final String SUBSCRIBER = "10.20.30.40";
    static final String GATEWAY_PUBLIC = "198.51.100.76";

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], SpecificRecord> input;
    private TestOutputTopic<String, NatShiftAlert> alerts;
    private TestOutputTopic<String, SessionSummary> sessions;
    private TestOutputTopic<String, NatBinding> bindings;
    private TestOutputTopic<String, PoolStats> poolStats;
    private TestOutputTopic<String, GatewayStats> gatewayStats;
    private TestOutputTopic<String, SubscriberStats> subscriberStats;

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
            driver = null;
        }
    }

    private int runs;
    private TopologyCounters counters;

    private void start(Map<String, String> settings) {
        closeDriver();
        // a fresh state directory per start: a restart here is a new process, as on another host
        Path dir = stateDir.resolve("run-" + runs++);
        counters = new TopologyCounters();
        Properties props = NatshiftTopology.streamsProperties("natshift-test", "unused:9092", counters,
                Map.of(StreamsConfig.STATE_DIR_CONFIG, dir.toString(), StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once"));
        driver = new TopologyTestDriver(NatshiftTopology.build(TopologyConfig.from(settings), CorrelationConfig.from(settings), counters), props);
        input = driver.createInputTopic(Topics.IKE_PACKETS.name(), new ByteArraySerializer(), Serdes.ingestValue().serializer());
        alerts = driver.createOutputTopic(Topics.ALERTS.name(), new StringDeserializer(), Serdes.natShiftAlert().deserializer());
        sessions = driver.createOutputTopic(Topics.SESSIONS.name(), new StringDeserializer(), Serdes.sessionSummary().deserializer());
        bindings = driver.createOutputTopic(Topics.NAT_BINDINGS.name(), new StringDeserializer(), Serdes.natBinding().deserializer());
        poolStats = driver.createOutputTopic(Topics.POOL_STATS.name(), new StringDeserializer(), Serdes.poolStats().deserializer());
        gatewayStats = driver.createOutputTopic(Topics.GATEWAY_STATS.name(), new StringDeserializer(), Serdes.gatewayStats().deserializer());
        subscriberStats = driver.createOutputTopic(Topics.SUBSCRIBER_STATS.name(), new StringDeserializer(),
                Serdes.subscriberStats().deserializer());
    }

    /** The incident's packets 11-30 as one vantage saw them: addresses rewritten as the NAT and the load balancer do. */
    static List<IkePacket> incidentAt(String vantage, long skew) {
        Map<String, String> addr = new HashMap<>();
        Map<Integer, Integer> port = new HashMap<>();
        switch (vantage) {
            case "inside" -> {
                addr.put(Scenarios.POOL_A, SUBSCRIBER);
                addr.put(Scenarios.POOL_B, SUBSCRIBER);
                addr.put(Scenarios.GATEWAY, GATEWAY_PUBLIC);
                port.put(Scenarios.A_PORT, 500);
                port.put(Scenarios.B_PORT, 4500);
            }
            case "outside" -> addr.put(Scenarios.GATEWAY, GATEWAY_PUBLIC);
            default -> {
                // the gateway probe behind the load balancer sees the packets as Scenarios writes them
            }
        }
        List<IkePacket> out = new ArrayList<>();
        for (Pkt p : Scenarios.incident()) {
            IkePacket k = p.at(p.millis() + skew).probe(vantage + "-probe", vantage).build();
            out.add(IkePacket.newBuilder(k)
                    .setSrcAddr(addr.getOrDefault(k.getSrcAddr(), k.getSrcAddr()))
                    .setDstAddr(addr.getOrDefault(k.getDstAddr(), k.getDstAddr()))
                    .setSrcPort(port.getOrDefault(k.getSrcPort(), k.getSrcPort()))
                    .setDstPort(port.getOrDefault(k.getDstPort(), k.getDstPort()))
                    .build());
        }
        return out;
    }

    private void pipeInTimeOrder(List<IkePacket> packets) {
        List<IkePacket> sorted = new ArrayList<>(packets);
        sorted.sort(Comparator.comparing(IkePacket::getTimestampMicros));
        for (IkePacket p : sorted) {
            input.pipeInput(p.getInitiatorSpi().bytes(), p, p.getTimestampMicros().toEpochMilli());
        }
    }

    private void pipe(List<Pkt> packets) {
        for (Pkt p : packets) {
            input.pipeInput(p.key(), p.build(), p.millis());
        }
    }

    private void heartbeat(long millis) {
        input.pipeInput(null, ProbeHeartbeat.newBuilder().setProbeId("gw-probe").setSource("eth1").setVantage("gateway")
                .setTimestampMicros(Instant.ofEpochMilli(millis)).build(), millis);
    }

    private static <V> Map<String, V> latestByKey(TestOutputTopic<String, V> topic) {
        return topic.readKeyValuesToMap();
    }

    @Test
    void shouldBindTheInsideSubscriberToItsPublicLegsAndNameItInTheAlert() {
        start(Map.of());
        List<IkePacket> all = new ArrayList<>(incidentAt("inside", 0));
        all.addAll(incidentAt("outside", 3));
        all.addAll(incidentAt("gateway", 5));
        pipeInTimeOrder(all);

        NatShiftAlert pending = alerts.readValue();
        assertThat(pending.getSaId()).isEqualTo(Scenarios.SHIFTED_SA);
        assertThat(pending.getVantage()).isEqualTo("outside");   // the first vantage to see the shifted packet
        assertThat(pending.getSubscriber()).isEqualTo(SUBSCRIBER);
        assertThat(pending.getSubscriberSource()).isEqualTo("inside");

        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        NatShiftAlert outcome = alerts.readValue();
        assertThat(outcome.getOutcome()).isEqualTo("failed");
        assertThat(outcome.getSubscriber()).isEqualTo(SUBSCRIBER);

        Map<String, NatBinding> byId = latestByKey(bindings);
        assertThat(byId).hasSize(3);   // the incident's three attempts
        NatBinding b = byId.get(Scenarios.SHIFTED_SA);
        assertThat(b.getSubscriber()).isEqualTo(SUBSCRIBER);
        assertThat(b.getSubscriberSource()).isEqualTo("inside");
        assertThat(b.getInside500()).isEqualTo(SUBSCRIBER + ":500");
        assertThat(b.getInside4500()).isEqualTo(SUBSCRIBER + ":4500");
        assertThat(b.getPublic500()).isEqualTo(Scenarios.POOL_A + ":" + Scenarios.A_PORT);
        assertThat(b.getPublic4500()).isEqualTo(Scenarios.POOL_B + ":" + Scenarios.B_PORT);
        assertThat(b.getPublicVantage()).isEqualTo("outside");
        assertThat(b.getVantages()).containsExactlyInAnyOrder("inside", "outside", "gateway");
        assertThat(b.getNatShift()).isTrue();
        assertThat(b.getOutcome()).isEqualTo("failed");
        assertThat(b.getCause()).isEqualTo("nat-shift");
        // the attempt answered only on 500 (13/16): no float, so no 4500 legs
        NatBinding second = byId.get(String.format("%016x-%016x", Scenarios.ISPI_2, Scenarios.RSPI_2));
        assertThat(second.getInside500()).isEqualTo(SUBSCRIBER + ":500");
        assertThat(second.getInside4500()).isNull();
        assertThat(second.getPublic4500()).isNull();
        assertThat(second.getFloated()).isFalse();
    }

    @Test
    void shouldRecordBothResponderAddressesWhenTheGatewayIsBehindDestinationNat() {
        start(Map.of());
        List<IkePacket> all = new ArrayList<>(incidentAt("outside", 0));
        all.addAll(incidentAt("gateway", 4));
        pipeInTimeOrder(all);
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);

        NatBinding b = latestByKey(bindings).get(Scenarios.SHIFTED_SA);
        assertThat(b.getResponderFront()).isEqualTo(GATEWAY_PUBLIC + ":500");
        assertThat(b.getResponderBehind()).isEqualTo(Scenarios.GATEWAY + ":500");
        assertThat(b.getDestinationNat()).isTrue();
        assertThat(b.getGateway()).isEqualTo(GATEWAY_PUBLIC);
        // no inside probe: the subscriber is known only by its public 'before' address
        assertThat(b.getSubscriber()).isEqualTo(Scenarios.POOL_A);
        assertThat(b.getSubscriberSource()).isEqualTo("public-before");
        assertThat(b.getInside500()).isNull();
        NatShiftAlert alert = latestByKey(alerts).get(Scenarios.SHIFTED_SA);
        assertThat(alert.getSubscriber()).isEqualTo(Scenarios.POOL_A);
        assertThat(alert.getSubscriberSource()).isEqualTo("public-before");
    }

    @Test
    void shouldNotSeeDestinationNatWhenFrontAndBehindAgree() {
        start(Map.of());
        List<IkePacket> all = new ArrayList<>(incidentAt("gateway", 0));
        for (IkePacket p : incidentAt("gateway", 4)) {
            all.add(IkePacket.newBuilder(p).setVantage("outside").setProbeId("outside-probe").build());
        }
        pipeInTimeOrder(all);
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        NatBinding b = latestByKey(bindings).get(Scenarios.SHIFTED_SA);
        assertThat(b.getResponderFront()).isEqualTo(b.getResponderBehind());
        assertThat(b.getDestinationNat()).isFalse();
    }

    @Test
    void shouldReportStalledAfterFloatWhenOnlyAnInsideProbeSawTheIncident() {
        start(Map.of());
        pipeInTimeOrder(incidentAt("inside", 0));
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);

        assertThat(alerts.isEmpty()).isTrue();   // no address change is visible from inside
        Map<String, SessionSummary> byId = latestByKey(sessions);
        SessionSummary s = byId.get(Scenarios.SHIFTED_SA);
        assertThat(s.getOutcome()).isEqualTo("failed");
        assertThat(s.getCause()).isEqualTo("stalled-after-float");
        assertThat(s.getNatShift()).isFalse();
        NatBinding b = latestByKey(bindings).get(Scenarios.SHIFTED_SA);
        assertThat(b.getCause()).isEqualTo("stalled-after-float");
        assertThat(b.getPublic500()).isNull();
        assertThat(b.getSubscriberSource()).isEqualTo("inside");
    }

    @Test
    void shouldKeepNoResponseAfterFloatWhenTheResponderNeverRetransmitted() {
        start(Map.of());
        long ispi = 0x77L;
        long rspi = 0x78L;
        String sub = SUBSCRIBER;
        pipe(List.of(
                Pkt.v1(1, Scenarios.T0, ispi, 0).from(sub, 500).to(GATEWAY_PUBLIC, 500).aggressive(1).probe("in", "inside"),
                Pkt.v1(2, Scenarios.T0 + 30, ispi, rspi).from(GATEWAY_PUBLIC, 500).to(sub, 500).aggressive(2).probe("in", "inside"),
                Pkt.v1(3, Scenarios.T0 + 60, ispi, rspi).from(sub, 4500).to(GATEWAY_PUBLIC, 4500).aggressive(3).probe("in", "inside"),
                Pkt.v1(4, Scenarios.T0 + 3060, ispi, rspi).from(sub, 4500).to(GATEWAY_PUBLIC, 4500).informational(5).probe("in", "inside")));
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        assertThat(sessions.readValue().getCause()).isEqualTo("no-response-after-float");
    }

    @Test
    void shouldMergeTheBlocksOfShiftedAddressesIntoOnePool() {
        start(Map.of());
        // subscriber 1 shifts from 203.0.113.0/24 to 198.51.100.0/24: one pool, named after the smaller block
        pipe(Scenarios.aggressiveSubscriber(0x101L, 0x201L, Scenarios.T0, "203.0.113.10", 1024, "198.51.100.20", 2048, Scenarios.GATEWAY));
        // subscriber 2 floats paired inside 198.51.100.0/24; subscriber 3 paired in an unrelated /24
        pipe(Scenarios.aggressiveSubscriber(0x102L, 0x202L, Scenarios.T0 + 1000, "198.51.100.30", 1030, "198.51.100.30", 1031, Scenarios.GATEWAY));
        pipe(Scenarios.aggressiveSubscriber(0x103L, 0x203L, Scenarios.T0 + 2000, "192.0.2.5", 1040, "192.0.2.5", 1041, Scenarios.GATEWAY));
        // subscriber 4 floats paired in 203.0.113.0/24 after the shift was summarised: the merged pool again
        // (facts are resolved in the order their attempts are summarised; see docs/pools.md)
        heartbeat(Scenarios.T0 + 100_000);
        pipe(Scenarios.aggressiveSubscriber(0x104L, 0x204L, Scenarios.T0 + 100_000, "203.0.113.99", 1050, "203.0.113.99", 1051, Scenarios.GATEWAY));
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);

        Map<String, PoolStats> totals = latestByKey(poolStats).entrySet().stream()
                .filter(e -> e.getValue().getWindow().equals("total"))
                .collect(Collectors.toMap(e -> e.getValue().getPool(), Map.Entry::getValue));
        assertThat(totals).containsOnlyKeys("auto:198.51.100.0/24", "auto:192.0.2.0/24");
        PoolStats merged = totals.get("auto:198.51.100.0/24");
        assertThat(merged.getFloats()).isEqualTo(3);
        assertThat(merged.getShifts()).isEqualTo(1);
        assertThat(merged.getPairedFloats()).isEqualTo(2);
        assertThat(merged.getSasFailedByShift()).isEqualTo(1);
        assertThat(merged.getSubscribersAffected()).isEqualTo(1);
        assertThat(merged.getShiftRatio()).isEqualTo(1.0 / 3);
        assertThat(totals.get("auto:192.0.2.0/24").getFloats()).isEqualTo(1);
        KeyValueStore<String, String> blocks = driver.getKeyValueStore("pool-blocks");
        assertThat(blocks.get("203.0.113.0/24")).isEqualTo("198.51.100.0/24");
        assertThat(blocks.get("198.51.100.0/24")).isNull();   // the root
    }

    @Test
    void shouldUseTheOperatorsPoolsFileBeforeTheData() throws Exception {
        Path pools = stateDir.resolve("pools.conf");
        java.nio.file.Files.writeString(pools, "# carrier CGN\ncgn-1/mobile = 203.0.113.0/25, 198.51.100.0/24\ncgn-1/fixed = 203.0.113.128/25\n");
        start(Map.of("natshift.pools.file", pools.toString()));
        pipe(Scenarios.aggressiveSubscriber(0x101L, 0x201L, Scenarios.T0, "203.0.113.10", 1024, "198.51.100.20", 2048, Scenarios.GATEWAY));
        pipe(Scenarios.aggressiveSubscriber(0x102L, 0x202L, Scenarios.T0 + 10, "203.0.113.200", 1024, "203.0.113.200", 2048, Scenarios.GATEWAY));
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        Map<String, PoolStats> totals = latestByKey(poolStats);
        totals.keySet().removeIf(k -> !k.endsWith("|total|0"));
        assertThat(totals).containsOnlyKeys("cgn-1/mobile|total|0", "cgn-1/fixed|total|0");
        assertThat(totals.get("cgn-1/mobile|total|0").getShifts()).isEqualTo(1);
        assertThat(totals.get("cgn-1/fixed|total|0").getPairedFloats()).isEqualTo(1);
    }

    /** {@code n} SAs from distinct subscribers in pool 203.0.113.0/24 (never shifted out of it), {@code shifted} of them shifting. */
    private void floats(int n, int shifted, long t) {
        for (int i = 0; i < n; i++) {
            String before = "203.0.113." + (i + 1);
            String after = i < shifted ? "203.0.113." + (101 + i) : before;
            pipe(Scenarios.aggressiveSubscriber(0x1000L + i, 0x2000L + i, t + i * 10L, before, 1024, after, 2048, Scenarios.GATEWAY));
        }
    }

    private PoolStats total() {
        return latestByKey(poolStats).get("auto:203.0.113.0/24|total|0");
    }

    @Test
    void shouldJudgeArbitraryOnlyFromMinFloatsAndMinShifts() {
        start(Map.of("natshift.verdict.min.floats", "4", "natshift.verdict.min.shifts", "2"));
        floats(3, 2, Scenarios.T0);
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        PoolStats p = total();
        assertThat(p.getVerdict()).isEqualTo("insufficient-data");   // 3 floats < 4
        assertThat(p.getExplanation()).contains("too few", "3 IKE NAT-T floats (2 shifted)");
    }

    @Test
    void shouldJudgeArbitraryAtExactlyTheThresholds() {
        start(Map.of("natshift.verdict.min.floats", "4", "natshift.verdict.min.shifts", "2"));
        floats(4, 2, Scenarios.T0);
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        PoolStats p = total();
        assertThat(p.getVerdict()).isEqualTo("arbitrary");
        assertThat(p.getExplanation()).startsWith("NAT pool auto:203.0.113.0/24 gave 2 of 4 IKE NAT-T floats (50.0%)")
                .contains("RFC 4787 REQ-2").endsWith(".");
    }

    @Test
    void shouldNotJudgeArbitraryBelowMinShifts() {
        start(Map.of("natshift.verdict.min.floats", "4", "natshift.verdict.min.shifts", "2"));
        floats(4, 1, Scenarios.T0);
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        assertThat(total().getVerdict()).isEqualTo("insufficient-data");
    }

    @Test
    void shouldJudgePairedAtMinFloatsWithoutShifts() {
        start(Map.of("natshift.verdict.min.floats", "4", "natshift.verdict.min.shifts", "2"));
        floats(4, 0, Scenarios.T0);
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        PoolStats p = total();
        assertThat(p.getVerdict()).isEqualTo("paired");
        assertThat(p.getExplanation()).contains("kept the same public address for all 4");
    }

    /** One initiator packet that is never answered: its fact is stamped at first packet + negotiation idle (90 s). */
    private void unanswered(long ispi, long factAt) {
        long t = factAt - 90_000;
        pipe(List.of(Pkt.v1(1, t, ispi, 0).from("192.0.2." + (ispi % 200 + 1), 500).to(Scenarios.GATEWAY, 500).aggressive(1)));
    }

    /** A packet arriving after the tracker's stream time moved on: its fact is stamped in the past (a late fact). */
    private void lateUnanswered(long ispi, long factAt, long heartbeatAt) {
        unanswered(ispi, factAt);
        heartbeat(heartbeatAt);
    }

    /** Stream time at which the tracker task has sent the partials of every minute ending at or before {@code minuteEnd}. */
    private static long partialsSentAfter(long minuteEnd) {
        return minuteEnd + TopologyConfig.defaults().factLag().toMillis();
    }

    @Test
    void shouldCloseAMinuteWindowExactlyWhenStreamTimeReachesItsEndPlusGrace() {
        start(Map.of("natshift.stats.grace.ms", "10000"));
        long windowStart = (Scenarios.T0 / 60_000 + 1) * 60_000;
        long windowEnd = windowStart + 60_000;
        String key = Scenarios.GATEWAY + "|1m|" + windowStart;
        unanswered(0x1L, windowStart + 5_000);
        unanswered(0x2L, windowEnd + 10_000 - 1);   // the next minute's partial: stats stream time one ms before the window closes
        long sent = partialsSentAfter(windowEnd + 60_000);
        heartbeat(sent);
        lateUnanswered(0x3L, windowEnd - 1, sent + 3_000);   // still open: counted
        assertThat(latestByKey(gatewayStats).get(key).getAttempts()).isEqualTo(2);

        unanswered(0x4L, windowEnd + 10_000);   // a late fact of the next minute, sent alone: stats stream time reaches end + grace
        heartbeat(sent + 6_000);
        lateUnanswered(0x5L, windowEnd - 1, sent + 9_000);   // too late: dropped
        Map<String, GatewayStats> latest = latestByKey(gatewayStats);
        assertThat(latest).doesNotContainKey(key);   // nothing rewrote the closed window
        GatewayStats next = latest.get(Scenarios.GATEWAY + "|1m|" + windowEnd);
        assertThat(next.getAttempts()).isEqualTo(2);   // 0x2 and 0x4
        assertThat(next.getWindowStartMillis()).isEqualTo(windowEnd);
        assertThat(next.getWindowEndMillis()).isEqualTo(windowEnd + 60_000);
        assertThat(next.getFailedByCause()).containsExactly(Map.entry("no-response", 2L));
        assertThat(next.getSetupMedianMillis()).isNull();
        assertThat(driver.getWindowStore("gateway-stats-1m-store").fetch(Scenarios.GATEWAY, windowStart)).isNotNull();
    }

    @Test
    void shouldDeriveTheDefaultStatsGraceFromTheTrackerLagPlusTheSkewAllowance() {
        TopologyConfig tracker = TopologyConfig.defaults();
        // tracker grace 2 s + punctuate interval 1 s + scan bucket 1 s
        assertThat(tracker.factLag()).isEqualTo(Duration.ofSeconds(4));
        assertThat(CorrelationConfig.defaults().statsGrace())
                .isEqualTo(tracker.factLag().plusMillis(CorrelationConfig.DEFAULT_STATS_SKEW_MS));
        Map<String, String> slower = Map.of("natshift.grace.ms", "5000", "natshift.punctuate.interval.ms", "3000",
                "natshift.stats.skew.ms", "20000");
        assertThat(CorrelationConfig.from(slower).statsGrace()).isEqualTo(Duration.ofMillis(5_000 + 3_000 + 3_000 + 20_000));
        assertThat(CorrelationConfig.from(Map.of("natshift.stats.grace.ms", "7000")).statsGrace()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void shouldHoldOnePartialPerGatewayAndMinuteUntilTheMinuteEndPlusTheFactLag() {
        start(Map.of());
        long minute = (Scenarios.T0 / 60_000 + 2) * 60_000;
        long lag = TopologyConfig.defaults().factLag().toMillis();
        // 40 unanswered SAs whose facts fall 1 s either side of a minute boundary; all packets within 2 s of
        // each other, so nothing closes until the first heartbeat, whose scan closes them all
        for (int i = 0; i < 40; i++) {
            unanswered(0x500L + i, minute - 1_000 + i * 50L);
        }
        var partialTopic = driver.createOutputTopic("natshift-test-gateway-counts-repartition", new StringDeserializer(),
                new ByteArrayDeserializer());
        heartbeat(minute + lag - 1);
        assertThat(sessions.readValuesToList()).hasSize(40);
        assertThat(partialTopic.readRecordsToList()).isEmpty();   // the first minute may still get facts
        KeyValueStore<String, byte[]> held = driver.getKeyValueStore("stats-partials");
        assertThat(held.get("gateway|" + (minute - 60_000) + "|" + Scenarios.GATEWAY)).isNotNull();   // saved at the commit
        assertThat(held.get("gateway|" + minute + "|" + Scenarios.GATEWAY)).isNotNull();

        heartbeat(minute + lag);
        var first = partialTopic.readRecordsToList();
        assertThat(first).hasSize(1);
        assertThat(first.get(0).key()).isEqualTo(Scenarios.GATEWAY);
        assertThat(first.get(0).timestamp()).isEqualTo(minute - 1_000 + 19 * 50L);   // stamped with its latest fact
        assertThat(held.get("gateway|" + (minute - 60_000) + "|" + Scenarios.GATEWAY)).isNull();
        assertThat(latestByKey(gatewayStats).get(Scenarios.GATEWAY + "|1m|" + (minute - 60_000)).getAttempts()).isEqualTo(20);

        heartbeat(minute + 60_000 + lag);
        var second = partialTopic.readRecordsToList();
        assertThat(second).hasSize(1);
        assertThat(second.get(0).timestamp()).isEqualTo(minute - 1_000 + 39 * 50L);
        Map<String, GatewayStats> latest = latestByKey(gatewayStats);
        assertThat(latest.get(Scenarios.GATEWAY + "|1m|" + minute).getAttempts()).isEqualTo(20);
        assertThat(latest.get(Scenarios.GATEWAY + "|1m|" + minute).getFailedByCause()).containsExactly(Map.entry("no-response", 20L));
        assertThat(driver.createOutputTopic("natshift-test-subscriber-counts-repartition", new StringDeserializer(),
                new ByteArrayDeserializer()).readKeyValuesToList().stream().map(kv -> kv.key).toList()).hasSize(40).doesNotHaveDuplicates();   // one per failing subscriber
        try (var left = held.all()) {
            assertThat(left.hasNext()).isFalse();
        }
        assertThat(counters.correlation.lateFacts()).isZero();
    }

    @Test
    void shouldSendPartialsEveryConfiguredIntervalAndRejectOneThatDoesNotDivideAMinute() {
        start(Map.of("natshift.stats.partials.interval.ms", "10000"));
        long minute = (Scenarios.T0 / 60_000 + 2) * 60_000;
        long lag = TopologyConfig.defaults().factLag().toMillis();
        for (int i = 0; i < 30; i++) {
            unanswered(0x700L + i, minute + i * 1_000L);   // three intervals of 10 s, ten facts each
        }
        var partialTopic = driver.createOutputTopic("natshift-test-gateway-counts-repartition", new StringDeserializer(),
                new ByteArrayDeserializer());
        heartbeat(minute + 20_000 + lag);   // the first two intervals are over, the third not
        assertThat(partialTopic.readRecordsToList()).extracting(r -> r.timestamp()).containsExactly(minute + 9_000, minute + 19_000);
        assertThat(latestByKey(gatewayStats).get(Scenarios.GATEWAY + "|1m|" + minute).getAttempts()).isEqualTo(20);
        heartbeat(minute + 30_000 + lag);
        assertThat(partialTopic.readRecordsToList()).extracting(r -> r.timestamp()).containsExactly(minute + 29_000);
        assertThat(latestByKey(gatewayStats).get(Scenarios.GATEWAY + "|1m|" + minute).getAttempts()).isEqualTo(30);

        for (String bad : List.of("7000", "120000", "0")) {
            assertThatThrownBy(() -> CorrelationConfig.from(Map.of("natshift.stats.partials.interval.ms", bad)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("natshift.stats.partials.interval.ms");
        }
    }

    @Test
    void shouldCountAFactWithinTheDocumentedLagInItsWindowAndDropAndCountOneBeyondIt() {
        start(Map.of());
        long grace = CorrelationConfig.defaults().statsGrace().toMillis();
        long hour = (Scenarios.T0 / 3_600_000 + 1) * 3_600_000;
        long windowStart = hour + 5 * 60_000;
        long windowEnd = windowStart + 60_000;
        String key = Scenarios.GATEWAY + "|1m|" + windowStart;
        // Two tracker tasks: the first (0x1, 0x11, 0x3) runs ahead, the second (0x2, 0x4) trails it by the lag
        // shown. The trailing task's facts are late packets here, so their facts are stamped in the past.
        unanswered(0x1L, windowStart + 1_000);
        unanswered(0x11L, windowEnd + grace - 1);   // the statistics' stream time: one ms short of closing the window
        long sent = partialsSentAfter(windowEnd + 60_000);
        heartbeat(sent);
        lateUnanswered(0x2L, windowEnd - 1, sent + 1_000);   // trails by exactly the grace: counted
        assertThat(latestByKey(gatewayStats).get(key).getAttempts()).isEqualTo(2);
        assertThat(counters.correlation.lateFacts()).isZero();

        unanswered(0x3L, windowEnd + grace);   // now the window is closed
        heartbeat(sent + 2_000);
        lateUnanswered(0x4L, windowEnd - 1, sent + 3_000);   // trails by grace + 1 ms: dropped
        assertThat(latestByKey(gatewayStats)).doesNotContainKey(key);
        // dropped from the gateway's minute window only: its hour and the subscriber's hour are open
        assertThat(counters.correlation.lateFacts()).isEqualTo(1);
        assertThat(driver.getWindowStore("gateway-stats-1h-store").fetch(Scenarios.GATEWAY, hour)).isNotNull();
    }

    @Test
    void shouldEmitEveryFactWithinTheFactLagOfTheFactsBeforeItAndEachSaOnceJoined() throws Exception {
        SynthOptions options = SynthOptions.builder().subscribers(1_000).pools(4).arbitraryPoolFraction(0.5)
                .vantage(SynthOptions.Vantage.BOTH).seed(6).loss(0).udp4500BlockedFraction(0).overloadedGatewayFraction(0)
                .addressUpdateFraction(0).malformedFraction(0).espPacketsPerSecond(0).build();
        Path out = stateDir.resolve("lag.pcap");
        new SynthGenerator(options).generate(out, n -> { });
        SynthGenerator.Files4 files = SynthGenerator.files(out, SynthOptions.Vantage.BOTH);
        List<IkePacket> all = new ArrayList<>(CaptureRecords.read(files.outside(), "outside-probe", "outside"));
        all.addAll(CaptureRecords.read(files.inside(), "inside-probe", "inside"));
        start(Map.of());
        pipeInTimeOrder(all);
        // end of input: one jump of stream time, as analyze drains, closes the last SAs in one scan
        heartbeat(all.get(all.size() - 1).getTimestampMicros().toEpochMilli() + TopologyConfig.defaults().drainAfter().toMillis());

        long lag = 0;
        long latest = Long.MIN_VALUE;
        Map<String, Integer> written = new HashMap<>();
        for (var r : bindings.readRecordsToList()) {
            lag = Math.max(lag, latest == Long.MIN_VALUE ? 0 : latest - r.timestamp());
            latest = Math.max(latest, r.timestamp());
            written.merge(r.key(), 1, Integer::sum);
            assertThat(r.value().getInside500()).as(r.key()).isNotNull();
            assertThat(r.value().getPublic500()).as(r.key()).isNotNull();
        }
        assertThat(lag).isLessThanOrEqualTo(TopologyConfig.defaults().factLag().toMillis());
        assertThat(written.values()).containsOnly(1);
        assertThat(counters.correlation.resummarised()).isZero();
        assertThat(counters.correlation.lateFacts()).isZero();
    }

    @Test
    void shouldWriteBindingsWithoutTheInProcessFromStartHeader() {
        start(Map.of());
        pipeInTimeOrder(incidentAt("gateway", 0));
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);

        var written = bindings.readRecordsToList();
        assertThat(written).hasSize(3);
        assertThat(written).allSatisfy(r -> assertThat(r.headers().toArray()).isEmpty());
        assertThat(counters.correlation.resummarised()).isZero();
    }

    @Test
    void shouldKeepTheJoinedBindingAndCountTheAttemptOnceWhenTrailingPacketsAreSummarisedAgain() {
        start(Map.of());
        long ispi = 0x2a70L;
        long rspi = 0xb41aL;
        String id = String.format("%016x-%016x", ispi, rspi);
        List<IkePacket> all = new ArrayList<>();
        for (Pkt p : Scenarios.ikev2(ispi, rspi, Scenarios.T0, SUBSCRIBER, SUBSCRIBER)) {
            all.add(p.probe("inside-probe", "inside").build());
        }
        for (Pkt p : Scenarios.ikev2(ispi, rspi, Scenarios.T0 + 3, Scenarios.POOL_A, Scenarios.POOL_A)) {
            all.add(p.probe("outside-probe", "outside").build());
        }
        // a liveness check long after the tracker forgot the summarised SA (an SA busy with ESP sends no IKE
        // for hours): a fresh state, one exchange on 4500 only, summarised again under the same SA id
        long later = Scenarios.T0 + 3_600_000;
        for (String[] side : new String[][] {{"inside", SUBSCRIBER}, {"outside", Scenarios.POOL_A}}) {
            long skew = side[0].equals("inside") ? 0 : 3;
            all.add(Pkt.v2(20, later + skew, ispi, rspi).from(Scenarios.GATEWAY, 4500).to(side[1], 4500)
                    .exchange2(Ike.V2_INFORMATIONAL, 9, false, false).probe(side[0] + "-probe", side[0]).build());
            all.add(Pkt.v2(21, later + 40 + skew, ispi, rspi).from(side[1], 4500).to(Scenarios.GATEWAY, 4500)
                    .exchange2(Ike.V2_INFORMATIONAL, 9, true, true).probe(side[0] + "-probe", side[0]).build());
        }
        List<IkePacket> trailing = new ArrayList<>(all.subList(all.size() - 4, all.size()));
        pipeInTimeOrder(all.subList(0, all.size() - 4));
        heartbeat(later - 1_000);   // a probe heartbeat: stream time passes the summarised SA's retention
        pipeInTimeOrder(trailing);
        heartbeat(later + AFTER_TIMEOUTS);

        assertThat(sessions.readValuesToList()).hasSize(2);   // the tracker did summarise it twice
        List<NatBinding> written = bindings.readValuesToList();
        assertThat(written).hasSize(1);
        NatBinding b = written.get(0);
        assertThat(b.getSaId()).isEqualTo(id);
        assertThat(b.getInside500()).isEqualTo(SUBSCRIBER + ":500");
        assertThat(b.getPublic500()).isEqualTo(Scenarios.POOL_A + ":500");
        assertThat(b.getOutcome()).isEqualTo("established");
        assertThat(counters.correlation.resummarised()).isEqualTo(1);

        List<GatewayStats> hours = latestByKey(gatewayStats).values().stream().filter(g -> g.getWindow().equals("1h")).toList();
        assertThat(hours.stream().mapToLong(GatewayStats::getAttempts).sum()).isEqualTo(1);
        assertThat(hours.stream().mapToLong(GatewayStats::getEstablished).sum()).isEqualTo(1);
        assertThat(subscriberStats.readValuesToList()).isEmpty();
    }

    @Test
    void shouldReportGatewaySetupQuantilesAndSubscriberFailuresPerHour() {
        start(Map.of());
        long hour = (Scenarios.T0 / 3_600_000 + 1) * 3_600_000;
        // two established SAs (setup 100 ms each) and one shifted failure, all summarised inside the hour
        pipe(Scenarios.aggressiveSubscriber(0x11L, 0x21L, hour + 60_000, "203.0.113.1", 1024, "203.0.113.1", 2048, Scenarios.GATEWAY));
        pipe(Scenarios.aggressiveSubscriber(0x12L, 0x22L, hour + 61_000, "203.0.113.2", 1024, "203.0.113.2", 2048, Scenarios.GATEWAY));
        pipe(Scenarios.aggressiveSubscriber(0x13L, 0x23L, hour + 62_000, "203.0.113.3", 1024, "203.0.113.9", 2048, Scenarios.GATEWAY));
        pipe(Scenarios.aggressiveSubscriber(0x14L, 0x24L, hour + 200_000, "203.0.113.3", 1024, "203.0.113.8", 2048, Scenarios.GATEWAY));
        heartbeat(hour + 400_000);
        unanswered(0x99L, hour + 3_600_000 + 10_000);   // a failure of another subscriber in the next hour
        heartbeat(partialsSentAfter(hour + 3_600_000 + 60_000));

        GatewayStats g = latestByKey(gatewayStats).get(Scenarios.GATEWAY + "|1h|" + hour);
        assertThat(g.getAttempts()).isEqualTo(4);
        assertThat(g.getEstablished()).isEqualTo(2);
        assertThat(g.getFailedByCause()).containsExactly(Map.entry("nat-shift", 2L));
        assertThat(g.getSetupMedianMillis()).isBetween(100L, 119L);   // 100 ms in a ~19% wide bucket
        assertThat(g.getSetupP95Millis()).isEqualTo(g.getSetupMedianMillis());
        Map<String, SubscriberStats> byKey = latestByKey(subscriberStats);
        assertThat(byKey).containsOnlyKeys("203.0.113.3|" + hour, "192.0.2.154|" + (hour + 3_600_000));
        List<SubscriberStats> subs = List.of(byKey.get("203.0.113.3|" + hour));
        assertThat(subs.get(0).getSubscriber()).isEqualTo("203.0.113.3");
        assertThat(subs.get(0).getFailedAttempts()).isEqualTo(2);
        assertThat(subs.get(0).getFailedByShift()).isEqualTo(2);
        assertThat(subs.get(0).getWindowStartMillis()).isEqualTo(hour);
    }

    private Map<String, String> privacy(String secret) {
        return Map.of("natshift.privacy.pseudonymize", "true", "natshift.privacy.secret", secret, "natshift.output.format", "avro");
    }

    private List<String> runIncidentInsideAndOutside() {
        List<IkePacket> all = new ArrayList<>(incidentAt("inside", 0));
        all.addAll(incidentAt("outside", 3));
        pipeInTimeOrder(all);
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        unanswered(0x5L, Scenarios.T0 + 2 * 3_600_000);   // closes the hour of the subscriber statistics
        heartbeat(Scenarios.T0 + 2 * 3_600_000 + 20_000);
        List<String> pseudonyms = new ArrayList<>();
        for (NatShiftAlert a : alerts.readValuesToList()) {
            assertThat(a.toString()).doesNotContain(SUBSCRIBER);
            pseudonyms.add(a.getSubscriber());
        }
        for (NatBinding b : bindings.readValuesToList()) {
            assertThat(b.toString()).doesNotContain(SUBSCRIBER);
            if (b.getSubscriberSource().equals("inside")) {
                pseudonyms.add(b.getSubscriber());
                assertThat(b.getInside500()).isEqualTo(b.getSubscriber() + ":500");
            }
        }
        for (SessionSummary s : sessions.readValuesToList()) {
            assertThat(s.toString()).doesNotContain(SUBSCRIBER);
        }
        List<SubscriberStats> subs = subscriberStats.readValuesToList();
        assertThat(subs).isNotEmpty();
        for (SubscriberStats s : subs) {
            assertThat(s.toString()).doesNotContain(SUBSCRIBER);
            if (s.getSubscriberSource().equals("inside")) {
                pseudonyms.add(s.getSubscriber());
            }
        }
        return pseudonyms;
    }

    @Test
    void shouldPseudonymizeTheSubscriberStablyAcrossRecordsAndRestarts() {
        start(privacy("a-secret-of-the-operator"));
        List<String> first = runIncidentInsideAndOutside();
        assertThat(first).hasSizeGreaterThan(4);
        assertThat(first).allMatch(p -> p.equals(first.get(0)));   // one subscriber, one pseudonym everywhere
        assertThat(first.get(0)).matches("anon-[0-9a-f]{16}");

        closeDriver();
        start(privacy("a-secret-of-the-operator"));   // a restart: same secret, same pseudonym
        List<String> again = runIncidentInsideAndOutside();
        assertThat(again).allMatch(p -> p.equals(first.get(0)));

        start(privacy("another-operator-secret"));
        List<String> other = runIncidentInsideAndOutside();
        assertThat(other.get(0)).isNotEqualTo(first.get(0));
    }

    @Test
    void shouldKeepSubscriberAddressesWhenPrivacyIsOff() {
        start(Map.of());
        List<IkePacket> all = new ArrayList<>(incidentAt("inside", 0));
        pipeInTimeOrder(all);
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        assertThat(bindings.readValuesToList()).allMatch(b -> b.getSubscriber().equals(SUBSCRIBER));
    }

    @SuppressWarnings("unused")
    private static byte[] key(long spi) {
        return ByteBuffer.allocate(8).putLong(spi).array();
    }

    @SuppressWarnings("unused")
    private static UnaryOperator<String> identity() {
        return s -> s;
    }
}
