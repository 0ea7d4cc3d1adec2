package io.natshift.topology.correlation;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.natshift.schemas.avro.NatBinding;

/**
 * Adds up the facts of one tracker task per statistics key and interval (partials; the interval is
 * natshift.stats.partials.interval.ms, a minute by default, and divides the minute so a partial never
 * straddles a window), and sends each sum once its interval is over: when the task's stream time
 * passes the interval's end + the fact lag (TopologyConfig.factLag(): no fact of that interval can
 * still come, late records excepted). Every
 * fact used to cross a repartition topic and update every window store on its own; then the sums
 * went out at every commit, which put the statistics' dozen partitions (repartition topics,
 * changelogs, outputs) into most transactions, and each partition a transaction touches costs the
 * broker a verification, an append and a marker. Now they join about one transaction an interval.
 *
 * <p>What is held survives a crash: at each commit (Kafka Streams' pre-commit cache flush, through
 * {@link CommitHook}) the sums that changed are written to the logged store {@link #HELD_STORE},
 * shared by the three statistics (one changelog partition per commit instead of a dozen), and
 * restored from it. A partial that goes out is deleted there. Partials leave in timestamp order,
 * stamped with their latest fact; a task's stream time is at least the interval's end + fact lag when
 * they do, so a partial reaches the windows no later, relative to the other tasks' partials, than
 * its facts would have: the statistics' grace is unchanged. At {@link #MAX_SLOTS} keys and intervals
 * everything held goes out early (only more, smaller partials: the aggregates add them up).
 */
final class Partials<P> implements Processor<String, NatBinding, String, P> {
    static final Logger LOG = LoggerFactory.getLogger(Partials.class);
    /** Logged key-value store, key {@code <kind>|<interval start, ms>|<key>}, value: timestamp (8 bytes) + the partial. */
    static final String HELD_STORE = "stats-partials";
    static final int MAX_SLOTS = 10_000;
    /** How often, in stream time, held partials are checked. */
    private static final long CHECK_EVERY_MS = 1_000;

    /** What a statistic adds up: its key of a fact (null: not counted here), a fresh partial, adding a fact. */
    interface Kind<P> {
        String key(NatBinding fact);

        P create();

        void add(P partial, String key, NatBinding fact);

        Serde<P> serde();
    }

    private record Slot(String key, long start) {
    }

    static final class Sum<P> {
        final String key;
        final long start;
        final P partial;
        long timestamp = Long.MIN_VALUE;
        boolean dirty;
        boolean stored;

        Sum(String key, long start, P partial) {
            this.key = key;
            this.start = start;
            this.partial = partial;
        }
    }

    private final String name;
    private final String hookStore;
    private final Kind<P> kind;
    private final long interval;
    private final long lag;
    private final CorrelationCounters counters;
    private final Map<Slot, Sum<P>> sums = new HashMap<>();
    /** Start of the oldest interval held: nothing is due before its end + lag. */
    private long oldest = Long.MAX_VALUE;
    private InternalProcessorContext<String, P> context;
    private KeyValueStore<String, byte[]> held;

    /** {@code name} tells this statistic's entries in the shared store apart; {@code lag} is the tracker's fact lag. */
    Partials(String name, String hookStore, Kind<P> kind, long interval, long lag, CorrelationCounters counters) {
        this.name = name;
        this.hookStore = hookStore;
        this.kind = kind;
        this.interval = interval;
        this.lag = lag;
        this.counters = counters;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void init(ProcessorContext<String, P> context) {
        this.context = (InternalProcessorContext<String, P>) context;
        this.held = context.getStateStore(HELD_STORE);
        sums.clear();
        oldest = Long.MAX_VALUE;
        restore();
        CommitHook hook = context.getStateStore(hookStore);
        hook.bind(this::persist, sums::clear);
        context.schedule(Duration.ofMillis(CHECK_EVERY_MS), PunctuationType.STREAM_TIME, this::emitDue);
    }

    @Override
    public void process(Record<String, NatBinding> record) {
        NatBinding fact = record.value();
        String key = kind.key(fact);
        if (key == null) {
            return;
        }
        long ts = record.timestamp();
        long start = ts - Math.floorMod(ts, interval);
        Sum<P> sum = sums.computeIfAbsent(new Slot(key, start), s -> new Sum<>(s.key(), s.start(), kind.create()));
        kind.add(sum.partial, key, fact);
        sum.timestamp = Math.max(sum.timestamp, ts);
        sum.dirty = true;
        oldest = Math.min(oldest, start);
        if (sums.size() >= MAX_SLOTS) {
            emit(Long.MAX_VALUE);
        }
    }

    /**
     * Stream-time punctuation, after the record that moved stream time: a timeout scan summarises many
     * attempts in one record's turn, and when stream time jumps (a quiet spell, the end-of-input
     * heartbeat) their intervals are over already; checked here, they still leave as one partial each.
     */
    private void emitDue(long streamTime) {
        if (oldest != Long.MAX_VALUE && oldest + interval + lag <= streamTime) {
            emit(streamTime - lag - interval + 1);
        }
    }

    /** Forwards, oldest first, every partial of an interval starting before {@code before}, and forgets it. */
    private void emit(long before) {
        List<Sum<P>> out = new ArrayList<>();
        long oldestLeft = Long.MAX_VALUE;
        for (Sum<P> s : sums.values()) {
            if (s.start < before) {
                out.add(s);
            } else {
                oldestLeft = Math.min(oldestLeft, s.start);
            }
        }
        oldest = oldestLeft;
        out.sort(Comparator.<Sum<P>>comparingLong(s -> s.timestamp).thenComparing(s -> s.key));
        for (Sum<P> s : out) {
            sums.remove(new Slot(s.key, s.start));
            if (s.stored) {
                held.delete(storeKey(s.key, s.start));
            }
            context.forward(new Record<>(s.key, s.partial, s.timestamp));
        }
    }

    /** Writes what changed since the last commit to the logged store, inside the commit's transaction. */
    private void persist() {
        ProcessorRecordContext previous = context.recordContext();
        try {
            for (Sum<P> s : sums.values()) {
                if (!s.dirty) {
                    continue;
                }
                // the changelog record is stamped with the partial's latest fact, as the partial will be
                context.setRecordContext(new ProcessorRecordContext(s.timestamp, -1L, -1, null, new RecordHeaders()));
                byte[] partial = kind.serde().serializer().serialize(HELD_STORE, s.partial);
                held.put(storeKey(s.key, s.start), encode(s.timestamp, partial));
                s.dirty = false;
                s.stored = true;
            }
        } finally {
            context.setRecordContext(previous);
        }
    }

    /** Reads this statistic's held partials back (the store is restored from its changelog before init). */
    private void restore() {
        String prefix = name + "|";
        try (KeyValueIterator<String, byte[]> it = held.prefixScan(prefix, new StringSerializer())) {
            while (it.hasNext()) {
                var e = it.next();
                try {
                    Sum<P> sum = decode(prefix, e.key, e.value, kind.serde());
                    // an interval saved under another natshift.stats.partials.interval.ms is sent by this one's
                    // clock; its partial is still stamped with its latest fact, so the windows are unchanged
                    sums.put(new Slot(sum.key, sum.start), sum);
                    oldest = Math.min(oldest, sum.start);
                } catch (RuntimeException bad) {
                    // written by another version or damaged: its counts are lost, the rest is not
                    counters.unreadablePartials.increment();
                    LOG.error("held partial {} in store {} of task {} unreadable, dropped: {}", e.key, HELD_STORE, context.taskId(),
                            bad.toString());
                    held.delete(e.key);
                }
            }
        }
    }

    static byte[] encode(long timestamp, byte[] partial) {
        return ByteBuffer.allocate(Long.BYTES + partial.length).putLong(timestamp).put(partial).array();
    }

    /** A held entry back as a sum (stored, not dirty); SerializationException when it is not one. */
    static <P> Sum<P> decode(String prefix, String storeKey, byte[] value, Serde<P> serde) {
        String rest = storeKey.substring(prefix.length());
        int bar = rest.indexOf('|');
        if (bar < 0 || value == null || value.length < Long.BYTES) {
            throw new SerializationException("held partial " + storeKey + ": not <start>|<key> with a timestamp and a partial");
        }
        long start;
        try {
            start = Long.parseLong(rest.substring(0, bar));
        } catch (NumberFormatException e) {
            throw new SerializationException("held partial " + storeKey + ": interval start is not a number", e);
        }
        P partial = serde.deserializer().deserialize(HELD_STORE, Arrays.copyOfRange(value, Long.BYTES, value.length));
        Sum<P> sum = new Sum<>(rest.substring(bar + 1), start, partial);
        sum.timestamp = ByteBuffer.wrap(value).getLong();
        sum.stored = true;
        return sum;
    }

    private String storeKey(String key, long start) {
        return name + "|" + start + "|" + key;
    }
}
