package io.natshift.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.natshift.publish.IkeRecords;
import io.natshift.schemas.Serdes;
import io.natshift.schemas.Topics;
import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.ProbeHeartbeat;
import io.natshift.schemas.avro.SessionSummary;

/** The committed incident capture, decoded by the real decoder, through the topology. */
class IncidentSampleTopologyTest {
    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;

    @BeforeEach
    void startDriver() {
        TopologyCounters counters = new TopologyCounters();
        driver = new TopologyTestDriver(NatshiftTopology.build(TopologyConfig.defaults(), counters),
                NatshiftTopology.streamsProperties("natshift-sample-test", "unused:9092", counters,
                        Map.of(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString(),
                                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE)));
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldFindTheIncidentShiftAtFrame18OfTheGatewaySideCapture() throws Exception {
        List<IkePacket> packets = CaptureRecords.read(CaptureRecords.sample("incident-gateway-side.pcap"), "gw-probe", "gateway");
        assertThat(packets).extracting(IkePacket::getFrame)
                .containsExactly(11L, 13L, 15L, 16L, 17L, 18L, 19L, 20L, 21L, 24L, 25L, 26L, 27L, 28L, 29L, 30L);

        TestInputTopic<byte[], SpecificRecord> input = driver.createInputTopic(Topics.IKE_PACKETS.name(),
                new ByteArraySerializer(), Serdes.ingestValue().serializer());
        long last = 0;
        for (IkePacket p : packets) {
            long millis = IkeRecords.epochMicros(p.getTimestampMicros()) / 1000;
            input.pipeInput(p.getInitiatorSpi().bytes(), p, millis);
            last = Math.max(last, millis);
        }
        long end = last + TopologyConfig.defaults().drainAfter().toMillis();
        input.pipeInput(null, ProbeHeartbeat.newBuilder().setProbeId("gw-probe").setSource("eth1")
                .setTimestampMicros(Instant.ofEpochMilli(end)).build(), end);

        TestOutputTopic<String, NatShiftAlert> alerts = driver.createOutputTopic(Topics.ALERTS.name(),
                new StringDeserializer(), Serdes.natShiftAlert().deserializer());
        List<NatShiftAlert> seen = alerts.readValuesToList();
        assertThat(seen).extracting(NatShiftAlert::getOutcome).containsExactly("pending", "failed");
        NatShiftAlert failed = seen.get(1);
        assertThat(failed.getSaId()).isEqualTo("44a81e8f3ce968dc-c067353f5de37295");
        assertThat(failed.getBefore()).isEqualTo("203.0.113.10:28815");
        assertThat(failed.getAfter()).isEqualTo("203.0.113.77:61204");
        assertThat(failed.getGateway()).isEqualTo("172.31.1.76");
        assertThat(failed.getFirstEvidenceFrame()).isEqualTo(15);
        assertThat(seen.get(0).getLastEvidenceFrame()).isEqualTo(18);
        assertThat(failed.getLastEvidenceFrame()).isEqualTo(30);
        assertThat(failed.getLastEvidenceSource()).endsWith("incident-gateway-side.pcap");

        TestOutputTopic<String, SessionSummary> sessions = driver.createOutputTopic(Topics.SESSIONS.name(),
                new StringDeserializer(), Serdes.sessionSummary().deserializer());
        Map<String, String> causes = sessions.readValuesToList().stream()
                .collect(Collectors.toMap(SessionSummary::getSaId, SessionSummary::getCause));
        assertThat(causes).hasSize(3).containsEntry("44a81e8f3ce968dc-c067353f5de37295", "nat-shift");
        assertThat(causes.values()).containsExactlyInAnyOrder("nat-shift", "no-response", "initiator-gave-up");
    }
}
