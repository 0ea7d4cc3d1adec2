package io.natshift.topology.correlation;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

import io.natshift.schemas.avro.NatBinding;

/**
 * Counts the facts the windowed aggregates after it will drop as too late, and passes every fact on.
 * Mirrors Kafka Streams' own test (KStreamWindowAggregate): the aggregate's stream time is the
 * largest timestamp it has seen since the task started, and a tumbling window [start, start + size)
 * takes a record only while end > stream time - grace. This node sees exactly the records the
 * aggregates see, in the same order, so it keeps the same clock.
 */
final class LateFacts implements FixedKeyProcessor<String, NatBinding, NatBinding> {
    private final long grace;
    private final long[] sizes;
    private final CorrelationCounters counters;
    private FixedKeyProcessorContext<String, NatBinding> context;
    private long observed = Long.MIN_VALUE;

    LateFacts(long grace, CorrelationCounters counters, long... sizes) {
        this.grace = grace;
        this.sizes = sizes;
        this.counters = counters;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, NatBinding> context) {
        this.context = context;
        observed = Long.MIN_VALUE;
    }

    @Override
    public void process(FixedKeyRecord<String, NatBinding> record) {
        long ts = record.timestamp();
        observed = Math.max(observed, ts);
        for (long size : sizes) {
            long end = ts - Math.floorMod(ts, size) + size;
            if (end <= observed - grace) {
                counters.lateFacts.increment();
            }
        }
        context.forward(record);
    }
}
