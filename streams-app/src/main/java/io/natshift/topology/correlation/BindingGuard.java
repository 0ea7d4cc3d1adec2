package io.natshift.topology.correlation;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

import io.natshift.schemas.avro.NatBinding;

/**
 * Lets each SA attempt into the statistics once, and into natshift.nat-bindings only when it adds
 * to what was written. The tracker forgets a summarised SA after natshift.state.retention.ms; a
 * later packet of it (a rekey or delete after hours of ESP-only traffic, DPD further apart than the
 * retention) starts a fresh state, summarised again under the same SA id from whatever trailed:
 * typically a failed, 4500-only binding. Without this guard it replaced the joined binding in the
 * compacted topic and counted a second, failed attempt in the gateway and subscriber statistics.
 * A genuinely new attempt has new cookies, hence another SA id, and passes.
 *
 * <p>Every SA id is remembered; only facts without {@link StatsTopology#FROM_START_HEADER} are looked
 * up: an attempt seen from its first message and answered has a responder SPI chosen for it, so no
 * earlier summary shares its SA id. Unanswered attempts (responder SPI 0) and attempts picked up
 * mid-negotiation are looked up.
 *
 * <p>Runs in the tracker's task: an SA id embeds the initiator SPI the input is partitioned by.
 */
final class BindingGuard implements FixedKeyProcessor<String, SpecificRecord, NatBinding> {
    private final Pseudonymizer privacy;
    private final CorrelationCounters counters;
    private final long memory;
    private FixedKeyProcessorContext<String, NatBinding> context;
    private WindowStore<String, Integer> seen;

    BindingGuard(Pseudonymizer privacy, CorrelationCounters counters, long memory) {
        this.privacy = privacy;
        this.counters = counters;
        this.memory = memory;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, NatBinding> context) {
        this.context = context;
        this.seen = context.getStateStore(StatsTopology.BINDINGS_SEEN_STORE);
    }

    @Override
    public void process(FixedKeyRecord<String, SpecificRecord> record) {
        NatBinding b = (NatBinding) record.value();
        String id = record.key();
        long ts = record.timestamp();
        int rank = completeness(b);
        int before = record.headers().lastHeader(StatsTopology.FROM_START_HEADER) != null ? -1 : seenRank(id, ts);
        FixedKeyRecord<String, NatBinding> out = record.withValue(privacy.binding(b)).withHeaders(new RecordHeaders());
        if (before < 0) {
            seen.put(id, rank, ts);
            counters.bindings.increment();
            context.forward(out);
            return;
        }
        counters.resummarised.increment();
        if (rank > before) {
            seen.put(id, rank, ts);
            counters.bindings.increment();
            context.forward(out, StatsTopology.BINDINGS_SINK);
        }
    }

    /** The best rank remembered for this SA id, -1 if none. A range scan: the costly part of this guard. */
    private int seenRank(String id, long ts) {
        int before = -1;
        try (WindowStoreIterator<Integer> it = seen.fetch(id, ts - memory, ts)) {
            while (it.hasNext()) {
                before = Math.max(before, it.next().value);
            }
        }
        return before;
    }

    /** More legs known, then more vantages, is more complete; equal is not more (the first one stays). */
    static int completeness(NatBinding b) {
        int legs = (b.getInside500() == null ? 0 : 1) + (b.getInside4500() == null ? 0 : 1)
                + (b.getPublic500() == null ? 0 : 1) + (b.getPublic4500() == null ? 0 : 1)
                + (b.getResponderFront() == null ? 0 : 1) + (b.getResponderBehind() == null ? 0 : 1);
        return legs * 8 + Math.min(b.getVantages().size(), 7);
    }
}
