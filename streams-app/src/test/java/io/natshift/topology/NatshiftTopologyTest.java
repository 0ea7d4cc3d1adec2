package io.natshift.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Collectors;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.natshift.schemas.Serdes;
import io.natshift.schemas.Topics;
import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.ProbeHeartbeat;
import io.natshift.schemas.avro.SessionSummary;

class NatshiftTopologyTest {
    /** Far enough after any scenario for every negotiation deadline and the grace to pass. */
    private static final long AFTER_TIMEOUTS = 250_000;

    @TempDir
    Path stateDir;

    private TopologyCounters counters;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], SpecificRecord> input;
    private TestOutputTopic<String, NatShiftAlert> alerts;
    private TestOutputTopic<String, SessionSummary> sessions;

    @BeforeEach
    void startDriver() {
        start(TopologyConfig.defaults());
    }

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    private void start(TopologyConfig config) {
        closeDriver();
        counters = new TopologyCounters();
        // The driver has no transactions to test; under exactly_once_v2 it only commits slower per record.
        // Exactly-once itself is exercised against the real broker (*IT).
        Properties props = NatshiftTopology.streamsProperties("natshift-test", "unused:9092", counters,
                Map.of(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString(), StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once"));
        driver = new TopologyTestDriver(NatshiftTopology.build(config, counters), props);
        input = driver.createInputTopic(Topics.IKE_PACKETS.name(), new ByteArraySerializer(), Serdes.ingestValue().serializer());
        alerts = driver.createOutputTopic(Topics.ALERTS.name(), new StringDeserializer(), Serdes.natShiftAlert().deserializer());
        sessions = driver.createOutputTopic(Topics.SESSIONS.name(), new StringDeserializer(), Serdes.sessionSummary().deserializer());
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

    private Map<String, SessionSummary> sessionsById() {
        return sessions.readValuesToList().stream().collect(Collectors.toMap(SessionSummary::getSaId, s -> s));
    }

    private KeyValueStore<Long, SaState> store() {
        return driver.getKeyValueStore(NatshiftTopology.SA_STORE);
    }

    private long liveSas() {
        long n = 0;
        try (var all = store().all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }

    @Test
    void shouldAlertAtPacket18AndReportTheIncidentSaFailedByShift() {
        List<Pkt> incident = Scenarios.incident();
        pipe(incident.subList(0, 6));   // up to and including packet 18

        List<KeyValue<String, NatShiftAlert>> first = alerts.readKeyValuesToList();
        assertThat(first).hasSize(1);
        NatShiftAlert alert = first.get(0).value;
        assertThat(first.get(0).key).isEqualTo(Scenarios.SHIFTED_SA);
        assertThat(alert.getOutcome()).isEqualTo("pending");
        assertThat(alert.getBefore()).isEqualTo("203.0.113.10:28815");
        assertThat(alert.getAfter()).isEqualTo("203.0.113.77:61204");
        assertThat(alert.getGateway()).isEqualTo(Scenarios.GATEWAY);
        assertThat(alert.getExchange()).isEqualTo("aggressive");
        assertThat(alert.getIkeVersion()).isEqualTo(1);
        assertThat(alert.getFirstEvidenceFrame()).isEqualTo(15);
        assertThat(alert.getLastEvidenceFrame()).isEqualTo(18);
        assertThat(alert.getVantage()).isEqualTo("gateway");
        assertThat(alert.getSeverity()).isEqualTo("critical");
        assertThat(alert.getDetectedAtMillis()).isEqualTo(Scenarios.T0 + 2139);

        pipe(incident.subList(6, incident.size()));
        assertThat(alerts.isEmpty()).isTrue();   // outcome not decided while the SA may still complete
        assertThat(sessions.isEmpty()).isTrue();
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);

        NatShiftAlert outcome = alerts.readKeyValue().value;
        assertThat(outcome.getSaId()).isEqualTo(Scenarios.SHIFTED_SA);
        assertThat(outcome.getOutcome()).isEqualTo("failed");
        assertThat(outcome.getLastEvidenceFrame()).isEqualTo(30);
        assertThat(outcome.getResponderPacketsToBefore()).isEqualTo(1);   // packet 25
        assertThat(outcome.getResponderPacketsToAfter()).isZero();
        assertThat(alerts.isEmpty()).isTrue();

        Map<String, SessionSummary> byId = sessionsById();
        assertThat(byId).hasSize(3);
        SessionSummary first1 = byId.get("1111222233334444-0000000000000000");
        assertThat(first1.getOutcome()).isEqualTo("failed");
        assertThat(first1.getCause()).isEqualTo("no-response");
        SessionSummary second = byId.get("5555666677778888-9999aaaabbbbcccc");
        assertThat(second.getCause()).isEqualTo("initiator-gave-up");
        assertThat(second.getResponderRetransmissions()).isEqualTo(1);   // packet 24
        SessionSummary shifted = byId.get(Scenarios.SHIFTED_SA);
        assertThat(shifted.getOutcome()).isEqualTo("failed");
        assertThat(shifted.getCause()).isEqualTo("nat-shift");
        assertThat(shifted.getNatShift()).isTrue();
        assertThat(shifted.getFloated()).isTrue();
        assertThat(shifted.getNatDetected()).isTrue();
        assertThat(shifted.getPhases()).containsExactly("aggressive-1", "aggressive-2", "aggressive-3", "quick-1",
                "informational-initiator");
        assertThat(shifted.getInitiatorRetransmissions()).isEqualTo(2);  // 26, 27
        assertThat(shifted.getResponderRetransmissions()).isEqualTo(1);  // 25
        assertThat(shifted.getInitiator()).isEqualTo("203.0.113.10:28815");
        assertThat(shifted.getInitiatorNatT()).isEqualTo("203.0.113.77:61204");
        assertThat(shifted.getResponder()).isEqualTo("172.31.1.76:500");
        assertThat(shifted.getAddressUpdates()).isZero();
        assertThat(shifted.getRolesInferred()).isFalse();
        assertThat(shifted.getClosedBy()).isEqualTo("timeout");
        assertThat(shifted.getStartMillis()).isEqualTo(Scenarios.T0 + 2008);
        assertThat(shifted.getEndMillis()).isEqualTo(Scenarios.T0 + 10200);
        assertThat(counters.heartbeats()).isEqualTo(1);
    }

    @Test
    void shouldNotAlertWhenPairedNatFloatsFromTheSameAddressOnAnotherPort() {
        pipe(Scenarios.aggressiveSubscriber(0xabcdL, 0xdcbaL, Scenarios.T0, Scenarios.POOL_A, 28815, Scenarios.POOL_A, 1024,
                Scenarios.GATEWAY));
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);

        assertThat(alerts.isEmpty()).isTrue();
        SessionSummary s = sessions.readValue();
        assertThat(s.getOutcome()).isEqualTo("established");
        assertThat(s.getCause()).isNull();
        assertThat(s.getFloated()).isTrue();
        assertThat(s.getNatShift()).isFalse();
        assertThat(s.getSetupMillis()).isEqualTo(100);   // quick mode answered 100 ms after the first packet
        assertThat(s.getPhases()).containsExactly("aggressive-1", "aggressive-2", "aggressive-3", "quick-1", "quick-2", "quick-3");
        assertThat(s.getClosedBy()).isEqualTo("idle");
    }

    @Test
    void shouldReportRecoveredWhenIkev2ResponderFollowsTheShiftedAddress() {
        pipe(Scenarios.ikev2(0x77L, 0x88L, Scenarios.T0, Scenarios.POOL_A, Scenarios.POOL_B));

        List<NatShiftAlert> seen = alerts.readValuesToList();
        assertThat(seen).extracting(NatShiftAlert::getOutcome).containsExactly("pending", "recovered");
        NatShiftAlert recovered = seen.get(1);
        assertThat(recovered.getExchange()).isEqualTo("IKE_AUTH");
        assertThat(recovered.getIkeVersion()).isEqualTo(2);
        assertThat(recovered.getSeverity()).isEqualTo("warning");
        assertThat(recovered.getResponderPacketsToAfter()).isEqualTo(1);
        assertThat(recovered.getBefore()).isEqualTo("203.0.113.10:500");
        assertThat(recovered.getAfter()).isEqualTo("203.0.113.77:4500");
        assertThat(recovered.getOutcomeAtMillis()).isEqualTo(Scenarios.T0 + 150);

        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        assertThat(alerts.isEmpty()).isTrue();   // the outcome is final: no second update at close
        SessionSummary s = sessions.readValue();
        assertThat(s.getOutcome()).isEqualTo("established");
        assertThat(s.getNatShift()).isTrue();
        assertThat(s.getPhases()).containsExactly("IKE_SA_INIT-request", "IKE_SA_INIT-response", "IKE_AUTH-request",
                "IKE_AUTH-response");
        assertThat(s.getSetupMillis()).isEqualTo(150);
    }

    @Test
    void shouldCountAddressUpdatesAndNeverAlertWhenAnEstablishedSaMovesLater() {
        long ispi = 0x1234L;
        long rspi = 0x5678L;
        List<Pkt> packets = new ArrayList<>(Scenarios.ikev2(ispi, rspi, Scenarios.T0, Scenarios.POOL_A, Scenarios.POOL_A));
        // MOBIKE UPDATE_SA_ADDRESSES from a new address 8 s later, then a NAT rebinding on the same path
        packets.add(Pkt.v2(5, Scenarios.T0 + 8000, ispi, rspi).from("198.51.100.20", 4500).to(Scenarios.GATEWAY, 4500)
                .exchange2(Ike.V2_INFORMATIONAL, 2, true, false));
        packets.add(Pkt.v2(6, Scenarios.T0 + 8040, ispi, rspi).from(Scenarios.GATEWAY, 4500).to("198.51.100.20", 4500)
                .exchange2(Ike.V2_INFORMATIONAL, 2, false, true));
        packets.add(Pkt.v2(7, Scenarios.T0 + 20000, ispi, rspi).from("198.51.100.21", 33000).to(Scenarios.GATEWAY, 4500)
                .exchange2(Ike.V2_INFORMATIONAL, 3, true, false));
        pipe(packets);
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);

        assertThat(alerts.isEmpty()).isTrue();
        SessionSummary s = sessions.readValue();
        assertThat(s.getOutcome()).isEqualTo("established");
        assertThat(s.getNatShift()).isFalse();
        assertThat(s.getAddressUpdates()).isEqualTo(2);
    }

    @Test
    void shouldNotCountTheSamePacketCapturedByTwoProbesAsARetransmission() {
        List<Pkt> packets = new ArrayList<>();
        for (Pkt p : Scenarios.incident()) {
            packets.add(p);
            packets.add(copyFrom(p, "gw-probe-2"));
        }
        pipe(packets);
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);

        List<NatShiftAlert> seen = alerts.readValuesToList();
        assertThat(seen).extracting(NatShiftAlert::getOutcome).containsExactly("pending", "failed");
        SessionSummary shifted = sessionsById().get(Scenarios.SHIFTED_SA);
        assertThat(shifted.getInitiatorRetransmissions()).isEqualTo(2);
        assertThat(shifted.getResponderRetransmissions()).isEqualTo(1);
        assertThat(shifted.getInitiatorPackets()).isEqualTo(10);
        assertThat(shifted.getResponderPackets()).isEqualTo(2);
        assertThat(shifted.getDuplicateCaptures()).isEqualTo(12);
    }

    private static Pkt copyFrom(Pkt original, String probe) {
        // same packet, second probe at the same vantage, a millisecond later (its own clock)
        List<Pkt> again = Scenarios.incident();
        for (Pkt p : again) {
            if (p.build().getFrame() == original.build().getFrame()) {
                return p.probe(probe, "gateway").source("eth2").at(p.millis() + 1);
            }
        }
        throw new AssertionError("no frame " + original.build().getFrame());
    }

    @Test
    void shouldCountARetransmissionStormWithoutAlerting() {
        long ispi = 0xfeedL;
        List<Pkt> packets = new ArrayList<>();
        long[] strongSwanSchedule = {0, 4000, 11000, 24000, 47000, 89000};
        int frame = 1;
        for (long at : strongSwanSchedule) {
            packets.add(Pkt.v1(frame++, Scenarios.T0 + at, ispi, 0).from(Scenarios.POOL_A, 500).to(Scenarios.GATEWAY, 500).main(1));
        }
        pipe(packets);
        heartbeat(Scenarios.T0 + 89_000 + AFTER_TIMEOUTS);

        assertThat(alerts.isEmpty()).isTrue();
        SessionSummary s = sessions.readValue();
        assertThat(s.getOutcome()).isEqualTo("failed");
        assertThat(s.getCause()).isEqualTo("no-response");
        assertThat(s.getInitiatorRetransmissions()).isEqualTo(5);
        assertThat(s.getInitiatorPackets()).isEqualTo(6);
        assertThat(s.getPhases()).containsExactly("main-1");
        // one summary for the whole storm: gaps up to 42 s stay inside the 90 s negotiation idle timeout
        assertThat(sessions.isEmpty()).isTrue();
    }

    @Test
    void shouldGiveTheSameOutputWhenRecordsArriveOutOfOrderWithinGrace() {
        pipe(Scenarios.incident());
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        List<NatShiftAlert> inOrderAlerts = alerts.readValuesToList();
        Map<String, SessionSummary> inOrderSessions = sessionsById();

        // and with every state read back from the store (no heap cache): same result
        start(TopologyConfig.defaults().withStateObjectCache(0));
        List<Pkt> shuffled = new ArrayList<>(Scenarios.incident());
        // two probes' clocks: swap neighbours within the 2 s grace, e.g. 18 before 17 and 17 before 15
        Collections.swap(shuffled, 4, 5);   // 18, 17
        Collections.swap(shuffled, 2, 3);   // 16, 15
        Collections.swap(shuffled, 7, 8);   // 21, 20
        Collections.swap(shuffled, 11, 12); // 27, 26
        pipe(shuffled);
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);

        assertThat(alerts.readValuesToList()).isEqualTo(inOrderAlerts);
        assertThat(sessionsById()).isEqualTo(inOrderSessions);
        assertThat(counters.lateRecords()).isZero();
    }

    @Test
    void shouldCountRecordsLaterThanGraceAndStillKeepThem() {
        List<Pkt> packets = new ArrayList<>(Scenarios.incident());
        Pkt late = packets.remove(3);   // packet 16 (t+2031) arrives after packet 30 (t+10200): 8 s late
        packets.add(late);
        pipe(packets);
        assertThat(counters.lateRecords()).isEqualTo(1);
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        assertThat(sessionsById().get("5555666677778888-9999aaaabbbbcccc").getResponderPackets()).isEqualTo(2);
    }

    @Test
    void shouldInferRolesWithoutAlertingWhenCaptureStartsMidNegotiation() {
        long ispi = 0x4242L;
        long rspi = 0x2424L;
        String client = "198.51.100.9";
        pipe(List.of(
                Pkt.v1(1, Scenarios.T0, ispi, rspi).from(client, 3100).to(Scenarios.GATEWAY, 4500).quick(5, 1),
                Pkt.v1(2, Scenarios.T0 + 40, ispi, rspi).from(Scenarios.GATEWAY, 4500).to(client, 3100).quick(5, 2),
                Pkt.v1(3, Scenarios.T0 + 70, ispi, rspi).from(client, 3100).to(Scenarios.GATEWAY, 4500).quick(5, 3)));
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);

        assertThat(alerts.isEmpty()).isTrue();
        SessionSummary s = sessions.readValue();
        assertThat(s.getRolesInferred()).isTrue();
        assertThat(s.getInitiator()).isEqualTo("198.51.100.9:3100");
        assertThat(s.getResponder()).isEqualTo("172.31.1.76:4500");
        assertThat(s.getOutcome()).isEqualTo("established");
        assertThat(s.getPhases()).containsExactly("quick-1", "quick-2", "quick-3");
    }

    /** {@code n} subscribers starting a millisecond apart, every seventh shifted; the shifted SA ids go to {@code expectedShifts}. */
    private static List<Pkt> concurrentSubscribers(int n, List<String> expectedShifts) {
        Random random = new Random(7);
        List<Pkt> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long ispi = random.nextLong() | 1;
            long rspi = random.nextLong() | 1;
            String before = "100.64." + (i >> 8 & 0xff) + "." + (i & 0xff);
            boolean shifted = i % 7 == 0;
            String after = shifted ? "100.65." + (i >> 8 & 0xff) + "." + (i & 0xff) : before;
            // all start within 10 s, so all ten thousand are live at once
            all.addAll(Scenarios.aggressiveSubscriber(ispi, rspi, Scenarios.T0 + i, before, 40000, after, 40001,
                    "192.0.2." + (i % 4 + 1)));
            if (shifted) {
                expectedShifts.add(Outputs.saId(ispi, rspi));
            }
        }
        all.sort((a, b) -> Long.compare(a.millis(), b.millis()));
        return all;
    }

    @Test
    void shouldFindExactlyTheShiftedAmongTenThousandConcurrentSubscribers() {
        List<String> expectedShifts = new ArrayList<>();
        pipe(concurrentSubscribers(10_000, expectedShifts));
        assertThat(liveSas()).isEqualTo(10_000);
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);

        List<NatShiftAlert> seen = alerts.readValuesToList();
        assertThat(seen.stream().filter(a -> a.getOutcome().equals("pending")).map(NatShiftAlert::getSaId))
                .containsExactlyInAnyOrderElementsOf(expectedShifts);
        assertThat(seen.stream().filter(a -> a.getOutcome().equals("failed")).count()).isEqualTo(expectedShifts.size());
        List<SessionSummary> summaries = sessions.readValuesToList();
        assertThat(summaries).hasSize(10_000);
        assertThat(summaries.stream().filter(s -> s.getOutcome().equals("established")).count())
                .isEqualTo(10_000 - expectedShifts.size());
        assertThat(counters.capDropped()).isZero();
    }

    @Test
    void shouldGiveTheSameAlertsAndSessionsWhetherStatesStayObjectsArePackedOrSpillToRocksDb() {
        List<Pkt> all = concurrentSubscribers(3_000, new ArrayList<>());
        pipe(all);
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        List<NatShiftAlert> allObjects = alerts.readValuesToList();
        List<SessionSummary> allObjectSessions = sessions.readValuesToList();
        assertThat(allObjectSessions).hasSize(3_000);
        assertThat(allObjects).isNotEmpty();

        // 300 objects, the other 2,700 states packed
        start(TopologyConfig.defaults().withStateObjectCache(300));
        pipe(all);
        assertThat(saStore().packedStates()).isEqualTo(2_700);
        assertThat(saStore().localReads()).isZero();
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        assertThat(alerts.readValuesToList()).isEqualTo(allObjects);
        assertThat(sessions.readValuesToList()).isEqualTo(allObjectSessions);

        // 300 objects, a budget for about a thousand packed states, the rest in RocksDB
        start(TopologyConfig.defaults().withStateObjectCache(300).withStatePackedBytes(300_000));
        pipe(all);
        assertThat(saStore().packedStates()).isBetween(300, 2_000);
        assertThat(saStore().localReads()).isPositive();
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        assertThat(alerts.readValuesToList()).isEqualTo(allObjects);
        assertThat(sessions.readValuesToList()).isEqualTo(allObjectSessions);
    }

    private SaStateStore saStore() {
        Object s = driver.getKeyValueStore(NatshiftTopology.SA_STORE);
        while (!(s instanceof SaStateStore)) {
            s = ((org.apache.kafka.streams.state.internals.WrappedStateStore<?, ?, ?>) s).wrapped();
        }
        return (SaStateStore) s;
    }

    @Test
    void shouldDropAndCountPacketsOfNewSasBeyondTheCap() {
        start(TopologyConfig.defaults().withMaxLiveSasPerTask(100));
        Random random = new Random(11);
        for (int i = 0; i < 150; i++) {   // random-SPI spraying
            pipe(List.of(Pkt.v1(i, Scenarios.T0 + i, random.nextLong(), 0).from("198.18.0.1", 500).to(Scenarios.GATEWAY, 500)
                    .aggressive(1)));
        }
        assertThat(liveSas()).isEqualTo(100);
        assertThat(counters.capDropped()).isEqualTo(50);

        // once timed out and past retention, the space is free again
        heartbeat(Scenarios.T0 + 90_000 + 450_000 + 10_000);   // retention + its refresh interval
        assertThat(liveSas()).isZero();
        assertThat(sessions.readValuesToList()).hasSize(100);
        pipe(List.of(Pkt.v1(1, Scenarios.T0 + 560_000, 0x99L, 0).from("198.18.0.1", 500).to(Scenarios.GATEWAY, 500).aggressive(1)));
        assertThat(store().get(0x99L)).isNotNull();
        assertThat(counters.capDropped()).isEqualTo(50);
    }

    @Test
    void shouldSkipAndCountPoisonRecordsAndKeepProcessingTheGoodOnes() {
        TestInputTopic<byte[], byte[]> raw = driver.createInputTopic(Topics.IKE_PACKETS.name(), new ByteArraySerializer(),
                new ByteArraySerializer());
        List<Pkt> incident = Scenarios.incident();
        pipe(incident.subList(0, 5));
        raw.pipeInput(new byte[8], new byte[] {(byte) 0xC3, 0x01, 1, 2, 3}, Scenarios.T0 + 2100);
        raw.pipeInput(new byte[8], "not avro at all".getBytes(), Scenarios.T0 + 2100);
        // the current IkePacket header over a cut body: read by the hand-written codec, not Avro's reader
        byte[] good = Serdes.ingestValue().encode(incident.get(5).build());
        raw.pipeInput(new byte[8], Arrays.copyOf(good, good.length / 2), Scenarios.T0 + 2100);
        pipe(incident.subList(5, 6));

        assertThat(counters.poisonRecords()).isEqualTo(3);
        assertThat(alerts.readValue().getSaId()).isEqualTo(Scenarios.SHIFTED_SA);
    }

    @Test
    void shouldWriteTheSameRecordsAsJsonWhenOutputFormatIsJson() {
        start(TopologyConfig.defaults().withOutputFormat(TopologyConfig.OutputFormat.JSON));
        TestOutputTopic<String, String> json = driver.createOutputTopic(Topics.ALERTS.name(), new StringDeserializer(),
                new StringDeserializer());
        pipe(Scenarios.incident().subList(0, 6));
        String alert = json.readValue();
        assertThat(alert).startsWith("{\"saId\":\"44a81e8f3ce968dc-c067353f5de37295\",");
        assertThat(alert).contains("\"before\":\"203.0.113.10:28815\"", "\"after\":\"203.0.113.77:61204\"",
                "\"outcome\":\"pending\"", "\"outcomeAtMillis\":null", "\"firstEvidenceFrame\":15");
    }

    @Test
    void shouldNameTheNotifyWhenTheResponderRejectsTheProposal() {
        long ispi = 0x31L;
        pipe(List.of(
                Pkt.v2(1, Scenarios.T0, ispi, 0).from(Scenarios.POOL_A, 500).to(Scenarios.GATEWAY, 500)
                        .exchange2(Ike.V2_IKE_SA_INIT, 0, true, false),
                Pkt.v2(2, Scenarios.T0 + 20, ispi, 0).from(Scenarios.GATEWAY, 500).to(Scenarios.POOL_A, 500)
                        .exchange2(Ike.V2_IKE_SA_INIT, 0, false, true).notify(14)));
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        SessionSummary s = sessions.readValue();
        assertThat(s.getCause()).isEqualTo("notify");
        assertThat(s.getNotifyType()).isEqualTo("NO_PROPOSAL_CHOSEN");
    }

    @Test
    void shouldReportNoResponseAfterFloatWhenUdp4500IsNeverAnswered() {
        long ispi = 0x51L;
        long rspi = 0x15L;
        pipe(List.of(
                Pkt.v1(1, Scenarios.T0, ispi, 0).from(Scenarios.POOL_A, 500).to(Scenarios.GATEWAY, 500).main(1),
                Pkt.v1(2, Scenarios.T0 + 10, ispi, rspi).from(Scenarios.GATEWAY, 500).to(Scenarios.POOL_A, 500).main(2),
                Pkt.v1(3, Scenarios.T0 + 20, ispi, rspi).from(Scenarios.POOL_A, 500).to(Scenarios.GATEWAY, 500).main(3),
                Pkt.v1(4, Scenarios.T0 + 30, ispi, rspi).from(Scenarios.GATEWAY, 500).to(Scenarios.POOL_A, 500).main(4),
                Pkt.v1(5, Scenarios.T0 + 40, ispi, rspi).from(Scenarios.POOL_A, 4500).to(Scenarios.GATEWAY, 4500).main(5),
                Pkt.v1(6, Scenarios.T0 + 4040, ispi, rspi).from(Scenarios.POOL_A, 4500).to(Scenarios.GATEWAY, 4500).main(5)));
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        assertThat(alerts.isEmpty()).isTrue();
        SessionSummary s = sessions.readValue();
        assertThat(s.getCause()).isEqualTo("no-response-after-float");
        assertThat(s.getPhases()).containsExactly("main-1", "main-2", "main-3", "main-4", "main-5");
        assertThat(s.getInitiatorRetransmissions()).isEqualTo(1);
    }

    @Test
    void shouldCloseOnlyWhenStreamTimePassesTheDeadlineAndForgetAfterRetention() {
        pipe(Scenarios.incident());
        long lastPacket = Scenarios.T0 + 10_200;
        heartbeat(lastPacket + 90_000);   // the deadline itself, but not yet the grace after it
        assertThat(sessionsById()).doesNotContainKey(Scenarios.SHIFTED_SA);
        heartbeat(lastPacket + 92_000);
        assertThat(sessionsById()).containsKey(Scenarios.SHIFTED_SA);
        assertThat(store().get(Scenarios.SHIFTED_ISPI)).isNotNull();   // kept to absorb late packets
        // the retention, plus the interval at which routine packets move the stored clock (half of it)
        heartbeat(lastPacket + 300_000 + 150_000);
        assertThat(store().get(Scenarios.SHIFTED_ISPI)).isNotNull();
        heartbeat(lastPacket + 300_000 + 150_000 + 2_000);
        assertThat(store().get(Scenarios.SHIFTED_ISPI)).isNull();
    }

    @Test
    void shouldStartANewAttemptWhenTheSameInitiatorSpiMeetsAnotherResponderSpi() {
        long ispi = 0x61L;
        pipe(List.of(
                Pkt.v1(1, Scenarios.T0, ispi, 0).from(Scenarios.POOL_A, 500).to(Scenarios.GATEWAY, 500).aggressive(1),
                Pkt.v1(2, Scenarios.T0 + 10, ispi, 0x1L).from(Scenarios.GATEWAY, 500).to(Scenarios.POOL_A, 500).aggressive(2),
                Pkt.v1(3, Scenarios.T0 + 20, ispi, 0x2L).from(Scenarios.GATEWAY, 500).to(Scenarios.POOL_A, 500).aggressive(2)));
        SessionSummary superseded = sessions.readValue();
        assertThat(superseded.getSaId()).isEqualTo("0000000000000061-0000000000000001");
        assertThat(superseded.getClosedBy()).isEqualTo("superseded");
        assertThat(counters.supersededAttempts()).isEqualTo(1);
        heartbeat(Scenarios.T0 + AFTER_TIMEOUTS);
        assertThat(sessions.readValue().getSaId()).isEqualTo("0000000000000061-0000000000000002");
    }

    @Test
    void shouldNotRecordRoutineDpdButKeepALongLivedSaFromBeingReportedTwice() {
        long ispi = 0x4444L;
        long rspi = 0x5555L;
        List<Pkt> packets = new ArrayList<>(Scenarios.ikev2(ispi, rspi, Scenarios.T0, Scenarios.POOL_A, Scenarios.POOL_A));
        int frame = 5;
        for (long at = 60_000; at <= 20 * 60_000; at += 60_000) {   // DPD every minute for 20 minutes
            packets.add(Pkt.v2(frame++, Scenarios.T0 + at, ispi, rspi).from(Scenarios.POOL_A, 4500).to(Scenarios.GATEWAY, 4500)
                    .exchange2(Ike.V2_INFORMATIONAL, frame, true, false));
            packets.add(Pkt.v2(frame++, Scenarios.T0 + at + 30, ispi, rspi).from(Scenarios.GATEWAY, 4500).to(Scenarios.POOL_A, 4500)
                    .exchange2(Ike.V2_INFORMATIONAL, frame, false, true));
        }
        pipe(packets);
        heartbeat(Scenarios.T0 + 20 * 60_000 + AFTER_TIMEOUTS);

        List<SessionSummary> summaries = sessions.readValuesToList();
        assertThat(summaries).hasSize(1);
        assertThat(summaries.get(0).getOutcome()).isEqualTo("established");
        assertThat(summaries.get(0).getInitiatorPackets() + summaries.get(0).getResponderPackets()).isEqualTo(4);
        // written only when the retention clock needed refreshing (every 2.5 min of the 5 min retention)
        assertThat(counters.routinePackets()).isBetween(30L, 40L);
        assertThat(alerts.isEmpty()).isTrue();
    }

    @Test
    void shouldNotSummariseAnSaAgainWhenItsDpdGapsStayWithinTheRetention() {
        // CorrelationIT's SA 2a704b961ee2cb52: DPD 113 s after establishment (routine, not written), then
        // 128 s (written: past half the retention), 137 s (routine), 172 s. Every gap is shorter than the
        // 300 s retention, but the last DPD came 309 s after the last written one: the SA had been
        // forgotten and was summarised again, failed, under the same SA id.
        long ispi = 0x2a70L;
        long rspi = 0xb41aL;
        pipe(Scenarios.ikev2(ispi, rspi, Scenarios.T0, Scenarios.POOL_A, Scenarios.POOL_A));
        int frame = 5;
        long at = 0;
        for (long gap : new long[] {113_000, 128_000, 137_000, 172_000}) {
            for (long quiet = 10_000; quiet < gap; quiet += 10_000) {
                heartbeat(Scenarios.T0 + at + quiet);   // the probe's heartbeats move stream time between DPDs
            }
            at += gap;
            pipe(List.of(
                    Pkt.v2(frame++, Scenarios.T0 + at, ispi, rspi).from(Scenarios.GATEWAY, 4500).to(Scenarios.POOL_A, 4500)
                            .exchange2(Ike.V2_INFORMATIONAL, frame, false, false),
                    Pkt.v2(frame++, Scenarios.T0 + at + 40, ispi, rspi).from(Scenarios.POOL_A, 4500).to(Scenarios.GATEWAY, 4500)
                            .exchange2(Ike.V2_INFORMATIONAL, frame, true, true)));
        }
        heartbeat(Scenarios.T0 + at + 600_000);

        List<SessionSummary> summaries = sessions.readValuesToList();
        assertThat(summaries).extracting(SessionSummary::getOutcome).containsExactly("established");
    }

    @Test
    void shouldDefaultToExactlyOnceV2ThePoisonHandlerAndNatshiftsStoreAndProducerTuning() {
        Properties p = NatshiftTopology.streamsProperties("a", "b:9092", counters, Map.of());
        assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(p.get(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG)).isEqualTo(PoisonRecordHandler.class);
        assertThat(p.get(PoisonRecordHandler.COUNTERS_CONFIG)).isSameAs(counters);
        assertThat(p.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)).isEqualTo(StoreTuning.class);
        assertThat(p.get("producer.compression.type")).isEqualTo("lz4");
        assertThat(p.get("producer.batch.size")).isEqualTo(256 * 1024);
        assertThat(p.get("producer.linger.ms")).isEqualTo(5);
        assertThat(p.get(StreamsConfig.RETRY_BACKOFF_MS_CONFIG)).isEqualTo(20L);
        assertThat(p.get("restore.consumer.fetch.max.wait.ms")).isEqualTo(50);
    }

    @Test
    void shouldHandNatshiftsProducerAndStartUpSettingsToKafkaStreamsClients() {
        // the prefixes must reach the clients Kafka Streams builds, not just sit in the properties
        StreamsConfig config = new StreamsConfig(NatshiftTopology.streamsProperties("a", "b:9092", counters, Map.of()));
        Map<String, Object> producer = config.getProducerConfigs("client");
        assertThat(producer).containsEntry("linger.ms", 5).containsEntry("compression.type", "lz4")
                .containsEntry("batch.size", 256 * 1024).containsEntry("retry.backoff.ms", 20L);
        assertThat(config.getRestoreConsumerConfigs("client")).containsEntry("fetch.max.wait.ms", 50);
        assertThat(config.getMainConsumerConfigs("g", "client", 0)).doesNotContainKey("fetch.max.wait.ms");
        assertThat(config.getLong(StreamsConfig.RETRY_BACKOFF_MS_CONFIG)).isEqualTo(20L);
    }

    @Test
    void shouldLetTheOperatorReplaceTheStoreAndProducerTuning() {
        Properties p = NatshiftTopology.streamsProperties("a", "b:9092", counters,
                Map.of("producer.compression.type", "zstd", StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, "com.example.Tuning",
                        "producer.linger.ms", 100));
        assertThat(p.get("producer.compression.type")).isEqualTo("zstd");
        assertThat(p.get("producer.linger.ms")).isEqualTo(100);
        assertThat(p.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)).isEqualTo("com.example.Tuning");
    }

    @Test
    void shouldNameEveryNodeStoreAndInternalTopicExplicitly() {
        String described = NatshiftTopology.build(TopologyConfig.defaults(), counters).describe().toString();
        assertThat(described).contains("Source: ike-packets-source", "Processor: sa-tracker", "stores: [sa-state]",
                "Sink: alerts-sink", "Sink: sessions-sink");
        assertThat(described).doesNotContain("KSTREAM-", "KTABLE-");
    }

    @Test
    void shouldRoundTripStateThroughItsChangelogFormat() {
        pipe(Scenarios.incident());
        SaState s = store().get(Scenarios.SHIFTED_ISPI);
        byte[] bytes = SaStateSerde.encode(s);
        assertThat(SaStateSerde.encode(SaStateSerde.decode(bytes))).isEqualTo(bytes);
        assertThat(Files.exists(stateDir)).isTrue();
    }
}
