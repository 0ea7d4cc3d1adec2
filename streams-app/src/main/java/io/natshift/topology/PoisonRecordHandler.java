package io.natshift.topology;

import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undeserializable input (not IkePacket nor ProbeHeartbeat) is logged with topic, partition and
 * offset, counted, and skipped: one bad record must not stop a stream thread or the good records
 * next to it. Kafka Streams also counts it in its dropped-records metric.
 */
public final class PoisonRecordHandler implements DeserializationExceptionHandler {
    /** Config key under which the app passes its {@link TopologyCounters} instance. */
    public static final String COUNTERS_CONFIG = "natshift.counters";

    private static final Logger LOG = LoggerFactory.getLogger(PoisonRecordHandler.class);

    private TopologyCounters counters = new TopologyCounters();

    @Override
    public void configure(Map<String, ?> configs) {
        if (configs.get(COUNTERS_CONFIG) instanceof TopologyCounters c) {
            counters = c;
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        counters.poisonRecords.increment();
        LOG.warn("poison record skipped: topic {} partition {} offset {}: {}", context.topic(), context.partition(),
                context.offset(), exception.getMessage());
        return Response.resume();
    }
}
