package io.natshift.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.time.Instant;

import org.apache.avro.SystemLimitException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import io.natshift.schemas.avro.ProbeHeartbeat;

class AvroLimitsTest {
    /** A heartbeat whose probe id claims {@code claimed} bytes (Avro's Java reader allocates before it reads). */
    private static byte[] heartbeatClaiming(long claimed) {
        SingleObjectSerde<ProbeHeartbeat> serde = Serdes.probeHeartbeat();
        byte[] good = serde.encode(ProbeHeartbeat.newBuilder().setProbeId("p").setSource("s").setVantage("outside")
                .setTimestampMicros(Instant.ofEpochSecond(1_741_944_000L)).build());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(good, 0, 10);   // C3 01 + fingerprint
        long zigzag = claimed << 1;
        while ((zigzag & ~0x7FL) != 0) {
            out.write((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.write((int) zigzag);
        out.write(good, 11, good.length - 11);   // the content "p" and the rest, after the original length byte
        return out.toByteArray();
    }

    @Test
    void shouldRejectAPoisonRecordClaimingAHugeStringInsteadOfAllocatingIt() {
        assertThat(Serdes.probeHeartbeat().decode(heartbeatClaiming(1)).getProbeId()).isEqualTo("p");
        assertThatThrownBy(() -> Serdes.probeHeartbeat().decode(heartbeatClaiming(1L << 30)))
                .isInstanceOf(SerializationException.class)
                .hasRootCauseInstanceOf(SystemLimitException.class);
    }

    @Test
    void shouldSetAvrosLimitsOnlyWhereTheOperatorLeftThemUnset() {
        SingleObjectSerde.AVRO_LIMITS.forEach((k, v) -> assertThat(System.getProperty(k)).as(k).isNotNull());
        assertThat(Integer.parseInt(System.getProperty("org.apache.avro.limits.string.maxLength"))).isLessThan(1 << 30);
    }
}
