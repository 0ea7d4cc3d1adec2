package io.natshift.publish;

import java.util.Properties;

import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Producer configuration of every probe: nothing captured may be lost or duplicated between the
 * probe and the topic, including across a broker restart or leader election.
 * <ul>
 * <li>{@code enable.idempotence=true}, {@code acks=all}, {@code max.in.flight.requests.per.connection=5}:
 *     the broker drops a retried batch it already has (sequence numbers per partition), so
 *     retries neither duplicate nor reorder records.</li>
 * <li>{@code retries=MAX}, {@code delivery.timeout.ms=300000} (5 min): a record is retried until it
 *     is 5 minutes old, long enough for a broker restart or a controller failover; only then does the
 *     send fail, and a failed send fails the command.</li>
 * <li>{@code request.timeout.ms=30000}: one attempt waits that long before it is retried.</li>
 * <li>{@code compression.type=lz4}: IkePacket values repeat addresses and payload lists; lz4 takes
 *     little CPU on the probe, which also captures.</li>
 * <li>{@code linger.ms=10}, {@code batch.size=256 KiB}: an IkePacket is about 200 bytes, so a batch
 *     holds ~1000 of them at full speed, and a quiet probe adds at most 10 ms of latency.</li>
 * <li>{@code buffer.memory=64 MiB}, {@code max.block.ms=300000}: when the broker is slow, {@code send}
 *     blocks (replay slows down) instead of failing; live capture never calls {@code send} from the
 *     packet loop (a bounded queue in between drops and counts instead).</li>
 * <li>{@link #transactional}: the probes send in transactions ({@code transactional.id} unique per
 *     run, {@code transaction.timeout.ms=60000}); see {@link TransactionalSender} for why the
 *     idempotent producer alone duplicates a batch across a broker restart when record timestamps
 *     are old, and why a transaction does not.</li>
 * </ul>
 */
public final class ProducerSettings {
    public static final int DELIVERY_TIMEOUT_MS = 300_000;
    public static final int TRANSACTION_TIMEOUT_MS = 60_000;

    private ProducerSettings() {
    }

    public static Properties noLoss(String bootstrapServers, String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(DELIVERY_TIMEOUT_MS));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(64L << 20));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(DELIVERY_TIMEOUT_MS));
        return p;
    }

    /**
     * {@link #noLoss} plus a transactional id. The coordinator aborts a transaction left open longer
     * than {@code transaction.timeout.ms} (a probe that died mid-transaction): 60 s bounds how long
     * read_committed consumers of its partitions wait, and is far above a transaction's own
     * length ({@link TransactionalSender.Limits}) and a broker restart.
     */
    public static Properties transactional(String bootstrapServers, String clientId, String transactionalId) {
        Properties p = noLoss(bootstrapServers, clientId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Integer.toString(TRANSACTION_TIMEOUT_MS));
        return p;
    }

    /** {@code <role>-<probe id>-<random>}: unique per run, so two runs of one probe never fence each other. */
    public static String transactionalId(String role, String probeId) {
        return role + "-" + probeId + "-" + java.util.UUID.randomUUID();
    }
}
