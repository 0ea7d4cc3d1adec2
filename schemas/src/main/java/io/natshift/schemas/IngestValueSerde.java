package io.natshift.schemas;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.ProbeHeartbeat;

/**
 * The value serde of natshift.ike-packets. The topic carries two record types, each in Avro
 * single-object encoding with its own schema fingerprint: IkePacket (one per captured IKE packet)
 * and ProbeHeartbeat (stream-time ticks). A separate type rather than a union keeps IkePacket's
 * contract flat for the dashboards that bind to its fields.
 */
public final class IngestValueSerde implements Serde<SpecificRecord> {
    // single-object header: C3 01, then the 8-byte little-endian CRC-64-AVRO fingerprint
    private static final int HEADER_SIZE = 10;

    private final SingleObjectSerde<IkePacket> packets;
    private final SingleObjectSerde<ProbeHeartbeat> heartbeats;
    private final long heartbeatFingerprint;

    IngestValueSerde(SingleObjectSerde<IkePacket> packets, SingleObjectSerde<ProbeHeartbeat> heartbeats) {
        this.packets = packets;
        this.heartbeats = heartbeats;
        this.heartbeatFingerprint = SchemaNormalization.parsingFingerprint64(ProbeHeartbeat.getClassSchema());
    }

    public byte[] encode(SpecificRecord record) {
        if (record instanceof IkePacket p) {
            return packets.encode(p);
        }
        if (record instanceof ProbeHeartbeat h) {
            return heartbeats.encode(h);
        }
        throw new SerializationException("natshift.ike-packets carries IkePacket or ProbeHeartbeat, not " + record.getSchema().getFullName());
    }

    public SpecificRecord decode(byte[] bytes) {
        if (bytes.length >= HEADER_SIZE
                && ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() == heartbeatFingerprint) {
            return heartbeats.decode(bytes);
        }
        return packets.decode(bytes);
    }

    @Override
    public Serializer<SpecificRecord> serializer() {
        return (topic, record) -> record == null ? null : encode(record);
    }

    @Override
    public Deserializer<SpecificRecord> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }
}
