package io.natshift.topology.correlation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.natshift.schemas.avro.NatBinding;

/**
 * Adds up the facts of one tracker task per statistics key and minute, and forwards the sums
 * (partials) once per commit instead of one record per fact. Every fact used to cross a repartition
 * topic (written and read back under exactly-once) and update every window store on its own: about
 * half of the stream thread in the topology benchmark. A commit now carries one record per key and
 * minute; the aggregates after the repartition merge partials exactly as they added facts, so the
 * windows hold the same counts.
 *
 * <p>Partials go out when Kafka Streams flushes caches before a commit ({@link CommitHook}), inside
 * the transaction that commits the facts; nothing is held across commits, so nothing needs a
 * changelog. They leave in timestamp order, each stamped with its latest fact, so a partial is late
 * downstream only if its facts would have been. They also go out from {@code process} (as safe: the
 * same transaction) when a fact opens a later minute, and at {@link #MAX_SLOTS} keys and minutes,
 * which bounds memory between commits.
 */
final class Partials<P> implements Processor<String, NatBinding, String, P> {
    static final Logger LOG = LoggerFactory.getLogger(Partials.class);
    static final long MINUTE = 60_000;
    static final int MAX_SLOTS = 10_000;

    /** What a statistic adds up: its key of a fact (null: not counted here), a fresh partial, adding a fact. */
    interface Kind<P> {
        String key(NatBinding fact);

        P create();

        void add(P partial, String key, NatBinding fact);
    }

    private record Slot(String key, long minute) {
    }

    private static final class Sum<P> {
        final String key;
        final P partial;
        long timestamp = Long.MIN_VALUE;
        ProcessorRecordContext recordContext;

        Sum(String key, P partial) {
            this.key = key;
            this.partial = partial;
        }
    }

    private final String hookStore;
    private final Kind<P> kind;
    private final Map<Slot, Sum<P>> sums = new HashMap<>();
    private long newestMinute = Long.MIN_VALUE;
    private InternalProcessorContext<String, P> context;
    private ProcessorNode<?, ?, ?, ?> node;

    Partials(String hookStore, Kind<P> kind) {
        this.hookStore = hookStore;
        this.kind = kind;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void init(ProcessorContext<String, P> context) {
        this.context = (InternalProcessorContext<String, P>) context;
        this.node = this.context.currentNode();
        sums.clear();
        newestMinute = Long.MIN_VALUE;
        CommitHook hook = context.getStateStore(hookStore);
        hook.bind(this::emit, sums::clear);
    }

    @Override
    public void process(Record<String, NatBinding> record) {
        NatBinding fact = record.value();
        String key = kind.key(fact);
        if (key == null) {
            return;
        }
        long ts = record.timestamp();
        long minute = Math.floorDiv(ts, MINUTE);
        if (minute > newestMinute) {
            // the task's facts moved into a new minute: what it holds goes out now rather than at the commit,
            // so a long commit interval (at-least-once: 30 s) does not hold facts back by more than the
            // minute they share, and downstream stream time sees them about when it saw single facts
            emit();
            newestMinute = minute;
        }
        Sum<P> sum = sums.computeIfAbsent(new Slot(key, minute), s -> new Sum<>(s.key(), kind.create()));
        kind.add(sum.partial, key, fact);
        if (ts >= sum.timestamp) {
            sum.timestamp = ts;
            sum.recordContext = context.recordContext();
        }
        if (sums.size() >= MAX_SLOTS) {
            emit();
        }
    }

    /** Forwards every partial, oldest first, as if its latest fact had just been processed. */
    private void emit() {
        if (sums.isEmpty()) {
            return;
        }
        List<Sum<P>> out = new ArrayList<>(sums.values());
        sums.clear();
        out.sort(Comparator.<Sum<P>>comparingLong(s -> s.timestamp).thenComparing(s -> s.key));
        ProcessorNode<?, ?, ?, ?> previousNode = context.currentNode();
        ProcessorRecordContext previousContext = context.recordContext();
        try {
            context.setCurrentNode(node);
            for (Sum<P> s : out) {
                context.setRecordContext(s.recordContext);
                context.forward(new Record<>(s.key, s.partial, s.timestamp));
            }
        } finally {
            context.setRecordContext(previousContext);
            context.setCurrentNode(previousNode);
        }
    }
}
