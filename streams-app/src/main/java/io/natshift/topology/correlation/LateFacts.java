package io.natshift.topology.correlation;

import java.util.function.ToLongFunction;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Counts the facts the windowed aggregates after it will drop as too late, and passes every record on
 * (a partial: {@code facts} tells how many facts it sums).
 * Mirrors Kafka Streams' own test (KStreamWindowAggregate): the aggregate's stream time is the
 * largest timestamp it has seen since the task started, and a tumbling window [start, start + size)
 * takes a record only while end > stream time - grace. This node sees exactly the records the
 * aggregates see, in the same order, so it keeps the same clock.
 */
final class LateFacts<V> implements FixedKeyProcessor<String, V, V> {
    private final long grace;
    private final long[] sizes;
    private final CorrelationCounters counters;
    private final ToLongFunction<V> facts;
    private FixedKeyProcessorContext<String, V> context;
    private long observed = Long.MIN_VALUE;

    LateFacts(long grace, CorrelationCounters counters, ToLongFunction<V> facts, long... sizes) {
        this.grace = grace;
        this.facts = facts;
        this.sizes = sizes;
        this.counters = counters;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, V> context) {
        this.context = context;
        observed = Long.MIN_VALUE;
    }

    @Override
    public void process(FixedKeyRecord<String, V> record) {
        long ts = record.timestamp();
        observed = Math.max(observed, ts);
        for (long size : sizes) {
            long end = ts - Math.floorMod(ts, size) + size;
            if (end <= observed - grace) {
                counters.lateFacts.add(facts.applyAsLong(record.value()));
            }
        }
        context.forward(record);
    }
}
