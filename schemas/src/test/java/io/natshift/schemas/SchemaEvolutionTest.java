package io.natshift.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.ProbeHeartbeat;

class SchemaEvolutionTest {
    private static final Schema V1 = SingleObjectSerde.loadSchema("/io/natshift/schemas/history/IkePacket-v1.avsc");

    @Test
    void shouldReadAnIkePacketWrittenWithSchemaV1AsVantageUnknown() throws IOException {
        GenericRecord old = new GenericData.Record(V1);
        old.put("probeId", "old-probe");
        old.put("source", "eth1");
        old.put("frame", 18L);
        old.put("timestampMicros", 1_700_000_000_123_456L);
        old.put("srcAddr", "198.51.100.7");
        old.put("srcPort", 4500);
        old.put("dstAddr", "203.0.113.76");
        old.put("dstPort", 4500);
        old.put("natT", true);
        Schema spi = V1.getField("initiatorSpi").schema();
        old.put("initiatorSpi", new GenericData.Fixed(spi, hex("44a81e8f3ce968dc")));
        old.put("responderSpi", new GenericData.Fixed(spi, hex("c067353f5de37295")));
        old.put("majorVersion", 1);
        old.put("minorVersion", 0);
        old.put("exchangeType", 4);
        old.put("flags", 1);
        old.put("messageId", 0L);
        old.put("nextPayload", 8);
        old.put("length", 92L);
        old.put("encrypted", true);
        old.put("payloads", List.of());
        old.put("notifyTypes", List.of());
        old.put("vendorIds", List.of());
        old.put("natDetection", false);
        old.put("ipFragment", false);
        old.put("ikeFragment", false);
        old.put("ikeFragmentNumber", null);
        old.put("ikeFragmentTotal", null);
        old.put("frameLength", 134);
        byte[] bytes = toBytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), V1).encode(old));

        // through the topic's value serde, exactly as a consumer of natshift.ike-packets reads it
        IkePacket read = (IkePacket) Serdes.ingestValue().decode(bytes);

        assertThat(read.getVantage()).isEqualTo("unknown");
        assertThat(read.getProbeId()).isEqualTo("old-probe");
        assertThat(read.getFrame()).isEqualTo(18L);
        assertThat(read.getTimestampMicros()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L, 123_456_000L));
        assertThat(read.getInitiatorSpi().bytes()).isEqualTo(hex("44a81e8f3ce968dc"));
        assertThat(read.getEncrypted()).isTrue();
    }

    @Test
    void shouldKeepTheCurrentReaderCompatibleWithEveryHistoricWriter() {
        for (String resource : Serdes.IKE_PACKET_HISTORY) {
            Schema writer = SingleObjectSerde.loadSchema(resource);
            SchemaCompatibility.SchemaPairCompatibility result =
                    SchemaCompatibility.checkReaderWriterCompatibility(IkePacket.getClassSchema(), writer);
            assertThat(result.getType()).as(resource + ": " + result.getDescription())
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        }
        assertThat(Serdes.IKE_PACKET_HISTORY).contains("/io/natshift/schemas/history/IkePacket-v1.avsc");
    }

    @Test
    void shouldTellHeartbeatsFromPacketsOnTheSameTopic() {
        IngestValueSerde serde = Serdes.ingestValue();
        ProbeHeartbeat beat = ProbeHeartbeat.newBuilder().setProbeId("p").setSource("eth0").setVantage("gateway")
                .setTimestampMicros(Instant.ofEpochSecond(1_700_000_000L)).build();

        assertThat(serde.decode(serde.encode(beat))).isEqualTo(beat);
    }

    @Test
    void shouldEncodeExactlyAsAvrosSingleObjectEncoder() throws IOException {
        ProbeHeartbeat beat = ProbeHeartbeat.newBuilder().setProbeId("p").setSource("eth0").setVantage("inside")
                .setTimestampMicros(Instant.ofEpochSecond(1_700_000_000L, 5_000L)).build();
        byte[] reference = toBytes(new BinaryMessageEncoder<ProbeHeartbeat>(
                org.apache.avro.specific.SpecificData.get(), ProbeHeartbeat.getClassSchema()).encode(beat));

        assertThat(Serdes.probeHeartbeat().encode(beat)).isEqualTo(reference);
        assertThat(Serdes.probeHeartbeat().encode(beat)).isEqualTo(reference);
    }

    private static byte[] hex(String h) {
        return java.util.HexFormat.of().parseHex(h);
    }

    private static byte[] toBytes(ByteBuffer b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (b.hasRemaining()) {
            out.write(b.get());
        }
        return out.toByteArray();
    }
}
