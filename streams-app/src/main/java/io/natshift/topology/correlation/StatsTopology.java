package io.natshift.topology.correlation;

import java.time.Duration;
import java.util.Map;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;

import io.natshift.schemas.JsonRecords;
import io.natshift.schemas.Serdes;
import io.natshift.schemas.avro.GatewayStats;
import io.natshift.schemas.avro.NatBinding;
import io.natshift.schemas.avro.PoolStats;
import io.natshift.schemas.avro.SubscriberStats;
import io.natshift.topology.Changelogs;

/**
 * The cross-vantage part of the topology, fed by the per-SA facts (NatBinding) the sa-tracker
 * forwards to {@link #SA_FACTS} when it summarises an attempt:
 *
 * <pre>
 * sa-facts [nat-bindings-seen] -> nat-bindings-sink                   natshift.nat-bindings
 *          -> pool-partials-sum [stats-partials] -> [pool-partials, 1 partition] -> pool-resolver [pool-blocks]
 *                -> [pool-counts] -> pool-stats-1m / -1h (windows) / -total (KTable) natshift.pool-stats
 *          -> gateway-partials-sum [stats-partials] -> [gateway-counts] -> gateway-stats-1m / -1h   natshift.gateway-stats
 *          -> subscriber-partials-sum [stats-partials] -> [subscriber-counts] -> subscriber-stats-1h natshift.subscriber-stats
 * </pre>
 *
 * Facts cross the repartition topics summed per tracker task, key and minute, once the minute is over
 * ({@link Partials}, which hold them in the logged store stats-partials); the aggregates merge the sums.
 *
 * Windows are tumbling, in event time (the fact's timestamp: when its attempt was summarised),
 * with an explicit grace (by default the tracker's fact lag + the allowed skew between its tasks:
 * CorrelationConfig); a window closes once stream time passes its end + grace, later facts for it
 * are dropped and counted (LateFacts, and Kafka Streams' dropped-records metric). Each window's record is
 * updated as facts arrive (the record cache folds updates between commits) under a key naming the
 * window, so the compacted output keeps its final value. Not emit-on-close: that emits from the
 * window store after the update, so a stream-time gap longer than the store retention (a quiet
 * night) would expire windows before their only record was written.
 */
public final class StatsTopology {
    /** The sa-tracker's child that receives the facts. */
    public static final String SA_FACTS = "sa-facts";
    static final String POOL_BLOCKS_STORE = "pool-blocks";
    /** SA ids already reported, with how complete their binding was (BindingGuard). */
    static final String BINDINGS_SEEN_STORE = "nat-bindings-seen";
    static final String BINDINGS_SINK = "nat-bindings-sink";
    /**
     * On a fact whose attempt was seen from its first message (responder SPI 0) and answered: no earlier
     * summary can share its SA id, so BindingGuard skips the lookup. In-process only, never written out.
     */
    public static final String FROM_START_HEADER = "natshift.from-start";
    /** Stores holding nothing, through which the Partials processors save what they hold at each commit. */
    static final String POOL_HOOK = "pool-partials-hook";
    static final String GATEWAY_HOOK = "gateway-partials-hook";
    static final String SUBSCRIBER_HOOK = "subscriber-partials-hook";

    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration HOUR = Duration.ofHours(1);

    private StatsTopology() {
    }

    /**
     * Minute windows in memory, hour windows in RocksDB; both logged. A persistent window store opens a
     * RocksDB instance per segment (at least a minute) and deletes expired ones: a replay running through
     * a day of capture time in minutes spent a tenth of its wall time opening and deleting databases.
     * Minute windows hold a few minutes of pools and gateways, a few KiB each; the hour windows' keys
     * (subscribers for subscriber-stats-1h) can be many, and their segments turn over every half hour.
     */
    static WindowBytesStoreSupplier windowStore(String name, Duration size, Duration grace) {
        Duration retention = size.plus(grace);
        return size.compareTo(MINUTE) <= 0
                ? Stores.inMemoryWindowStore(name, retention, size, false)
                : Stores.persistentTimestampedWindowStore(name, retention, size, false);
    }

    public static void build(StreamsBuilder builder, KStream<String, SpecificRecord> tracked, boolean json,
                             CorrelationConfig c, CorrelationCounters counters) {
        Serde<String> keys = org.apache.kafka.common.serialization.Serdes.String();
        long grace = c.statsGrace().toMillis();
        builder.addStateStore(Stores.windowStoreBuilder(
                        Stores.persistentWindowStore(BINDINGS_SEEN_STORE, c.bindingsMemory(), c.bindingsMemory(), false),
                        keys, org.apache.kafka.common.serialization.Serdes.Integer())
                .withLoggingEnabled(Changelogs.WINDOW));
        KStream<String, NatBinding> facts = tracked.processValues(
                () -> new BindingGuard(c.privacy(), counters, c.bindingsMemory().toMillis()), Named.as(SA_FACTS), BINDINGS_SEEN_STORE);
        facts.to(c.bindingsTopic(), Produced.with(keys, output(Serdes.natBinding(), json)).withName(BINDINGS_SINK));

        // the partials each tracker task holds until their minute is over, for all three statistics: one changelog
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Partials.HELD_STORE), keys,
                        org.apache.kafka.common.serialization.Serdes.ByteArray())
                .withCachingDisabled()
                .withLoggingEnabled(Changelogs.KEY_VALUE));
        long interval = c.partialsInterval().toMillis();
        long lag = c.factLag().toMillis();
        Serde<PoolPartial> poolPartials = PoolPartial.serde();
        Serde<Counts.Gateway> gatewayPartials = Counts.gatewaySerde();
        Serde<Counts.Subscriber> subscriberPartials = Counts.subscriberSerde();
        PoolMap pools = c.pools();
        builder.addStateStore(CommitHook.builder(POOL_HOOK));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(POOL_BLOCKS_STORE), keys, keys));
        KGroupedStream<String, Counts.Pool> byPool = facts
                .process(() -> new Partials<>("pool", POOL_HOOK, new Partials.Kind<PoolPartial>() {
                    @Override
                    public String key(NatBinding fact) {
                        return PoolPartial.key(pools, fact, counters);
                    }

                    @Override
                    public PoolPartial create() {
                        return new PoolPartial();
                    }

                    @Override
                    public void add(PoolPartial partial, String key, NatBinding fact) {
                        partial.add(pools, key, fact);
                    }

                    @Override
                    public Serde<PoolPartial> serde() {
                        return poolPartials;
                    }
                }, interval, lag, counters), Named.as("pool-partials-sum"), POOL_HOOK, Partials.HELD_STORE)
                .repartition(Repartitioned.<String, PoolPartial>as("pool-partials").withKeySerde(keys).withValueSerde(PoolPartial.serde())
                        .withNumberOfPartitions(1))
                .process(() -> new PoolResolver(c.maxPoolBlocks(), counters), Named.as("pool-resolver"), POOL_BLOCKS_STORE)
                .repartition(Repartitioned.<String, Counts.Pool>as("pool-counts").withKeySerde(keys).withValueSerde(Counts.poolSerde()))
                .processValues(() -> new LateFacts<Counts.Pool>(grace, counters, p -> p.floats, MINUTE.toMillis(), HOUR.toMillis()),
                        Named.as("pool-counts-late"))
                .groupByKey(Grouped.<String, Counts.Pool>as("pool-counts-grouped").withKeySerde(keys).withValueSerde(Counts.poolSerde()));
        Serde<PoolStats> poolOut = output(Serdes.poolStats(), json);
        for (Duration size : new Duration[] {MINUTE, HOUR}) {
            String label = label(size);
            String name = "pool-stats-" + label;
            byPool.windowedBy(TimeWindows.ofSizeAndGrace(size, c.statsGrace()))
                    .aggregate(Counts.Pool::new, (k, p, agg) -> agg.merge(p), Named.as(name),
                            Materialized.<String, Counts.Pool>as(windowStore(name + "-store", size, c.statsGrace()))
                                    .withKeySerde(keys).withValueSerde(Counts.poolSerde()).withLoggingEnabled(Changelogs.WINDOW))
                    .toStream(Named.as(name + "-stream"))
                    .map((w, agg) -> KeyValue.pair(w.key() + "|" + label + "|" + w.window().start(),
                            poolStats(c.verdict(), w.key(), label, w.window().start(), w.window().end(), agg)), Named.as(name + "-records"))
                    .to(c.poolStatsTopic(), Produced.with(keys, poolOut).withName(name + "-sink"));
        }
        byPool.aggregate(Counts.Pool::new, (k, p, agg) -> agg.merge(p), Named.as("pool-stats-total"),
                        Materialized.<String, Counts.Pool, KeyValueStore<Bytes, byte[]>>as("pool-stats-total-store")
                                .withKeySerde(keys).withValueSerde(Counts.poolSerde()))
                .toStream(Named.as("pool-stats-total-stream"))
                .map((pool, agg) -> KeyValue.pair(pool + "|total|0", poolStats(c.verdict(), pool, "total", agg.firstMillis, null, agg)),
                        Named.as("pool-stats-total-records"))
                .to(c.poolStatsTopic(), Produced.with(keys, poolOut).withName("pool-stats-total-sink"));

        builder.addStateStore(CommitHook.builder(GATEWAY_HOOK));
        KGroupedStream<String, Counts.Gateway> byGateway = facts
                .process(() -> new Partials<>("gateway", GATEWAY_HOOK, new Partials.Kind<Counts.Gateway>() {
                    @Override
                    public String key(NatBinding fact) {
                        return fact.getGateway();
                    }

                    @Override
                    public Counts.Gateway create() {
                        return new Counts.Gateway();
                    }

                    @Override
                    public void add(Counts.Gateway partial, String key, NatBinding fact) {
                        partial.add(fact);
                    }

                    @Override
                    public Serde<Counts.Gateway> serde() {
                        return gatewayPartials;
                    }
                }, interval, lag, counters), Named.as("gateway-partials-sum"), GATEWAY_HOOK, Partials.HELD_STORE)
                .repartition(Repartitioned.<String, Counts.Gateway>as("gateway-counts").withKeySerde(keys).withValueSerde(Counts.gatewaySerde()))
                .processValues(() -> new LateFacts<Counts.Gateway>(grace, counters, g -> g.attempts, MINUTE.toMillis(), HOUR.toMillis()),
                        Named.as("gateway-counts-late"))
                .groupByKey(Grouped.<String, Counts.Gateway>as("gateway-counts-grouped").withKeySerde(keys).withValueSerde(Counts.gatewaySerde()));
        Serde<GatewayStats> gatewayOut = output(Serdes.gatewayStats(), json);
        for (Duration size : new Duration[] {MINUTE, HOUR}) {
            String label = label(size);
            String name = "gateway-stats-" + label;
            byGateway.windowedBy(TimeWindows.ofSizeAndGrace(size, c.statsGrace()))
                    .aggregate(Counts.Gateway::new, (k, g, agg) -> agg.merge(g), Named.as(name),
                            Materialized.<String, Counts.Gateway>as(windowStore(name + "-store", size, c.statsGrace()))
                                    .withKeySerde(keys).withValueSerde(Counts.gatewaySerde()).withLoggingEnabled(Changelogs.WINDOW))
                    .toStream(Named.as(name + "-stream"))
                    .map((w, agg) -> KeyValue.pair(w.key() + "|" + label + "|" + w.window().start(),
                            gatewayStats(w.key(), label, w.window().start(), w.window().end(), agg)), Named.as(name + "-records"))
                    .to(c.gatewayStatsTopic(), Produced.with(keys, gatewayOut).withName(name + "-sink"));
        }

        builder.addStateStore(CommitHook.builder(SUBSCRIBER_HOOK));
        facts.process(() -> new Partials<>("subscriber", SUBSCRIBER_HOOK, new Partials.Kind<Counts.Subscriber>() {
                    @Override
                    public String key(NatBinding fact) {
                        return "failed".equals(fact.getOutcome()) && !"unknown".equals(fact.getSubscriber()) ? fact.getSubscriber() : null;
                    }

                    @Override
                    public Counts.Subscriber create() {
                        return new Counts.Subscriber();
                    }

                    @Override
                    public void add(Counts.Subscriber partial, String key, NatBinding fact) {
                        partial.add(fact);
                    }

                    @Override
                    public Serde<Counts.Subscriber> serde() {
                        return subscriberPartials;
                    }
                }, interval, lag, counters), Named.as("subscriber-partials-sum"), SUBSCRIBER_HOOK, Partials.HELD_STORE)
                .repartition(Repartitioned.<String, Counts.Subscriber>as("subscriber-counts").withKeySerde(keys)
                        .withValueSerde(Counts.subscriberSerde()))
                .processValues(() -> new LateFacts<Counts.Subscriber>(grace, counters, s -> s.failed, HOUR.toMillis()),
                        Named.as("subscriber-counts-late"))
                .groupByKey(Grouped.<String, Counts.Subscriber>as("subscriber-counts-grouped").withKeySerde(keys)
                        .withValueSerde(Counts.subscriberSerde()))
                .windowedBy(TimeWindows.ofSizeAndGrace(HOUR, c.statsGrace()))
                .aggregate(Counts.Subscriber::new, (k, s, agg) -> agg.merge(s), Named.as("subscriber-stats-1h"),
                        Materialized.<String, Counts.Subscriber>as(windowStore("subscriber-stats-1h-store", HOUR, c.statsGrace()))
                                .withKeySerde(keys).withValueSerde(Counts.subscriberSerde()).withLoggingEnabled(Changelogs.WINDOW))
                .toStream(Named.as("subscriber-stats-1h-stream"))
                .map((w, agg) -> KeyValue.pair(w.key() + "|" + w.window().start(), SubscriberStats.newBuilder()
                        .setSubscriber(w.key()).setSubscriberSource(agg.source)
                        .setWindowStartMillis(w.window().start()).setWindowEndMillis(w.window().end())
                        .setFailedAttempts(agg.failed).setFailedByShift(agg.failedByShift).setLastGateway(agg.lastGateway)
                        .build()), Named.as("subscriber-stats-1h-records"))
                .to(c.subscriberStatsTopic(), Produced.with(keys, output(Serdes.subscriberStats(), json)).withName("subscriber-stats-1h-sink"));
    }

    private static String label(Duration size) {
        return size.equals(HOUR) ? "1h" : "1m";
    }

    static PoolStats poolStats(Verdicts verdicts, String pool, String window, long start, Long end, Counts.Pool agg) {
        String verdict = verdicts.verdict(agg.floats, agg.shifts);
        long subscribers = agg.subscribers.estimate();
        return PoolStats.newBuilder()
                .setPool(pool).setWindow(window)
                .setWindowStartMillis(end == null ? 0 : start).setWindowEndMillis(end)
                .setFloats(agg.floats).setPairedFloats(agg.paired).setShifts(agg.shifts)
                .setShiftRatio(agg.floats == 0 ? 0 : (double) agg.shifts / agg.floats)
                .setSubscribersAffected(subscribers).setSasFailedByShift(agg.failedByShift)
                .setVerdict(verdict)
                .setExplanation(verdicts.explain(verdict, pool, start, end, agg.floats, agg.shifts, agg.failedByShift, subscribers))
                .build();
    }

    static GatewayStats gatewayStats(String gateway, String window, long start, long end, Counts.Gateway agg) {
        return GatewayStats.newBuilder()
                .setGateway(gateway).setWindow(window).setWindowStartMillis(start).setWindowEndMillis(end)
                .setAttempts(agg.attempts).setEstablished(agg.established).setFailed(agg.failed)
                .setFailedByCause(new java.util.TreeMap<>(agg.failedByCause))
                .setRetransmissions(agg.retransmissions)
                .setSetupMedianMillis(agg.setup.quantile(0.5)).setSetupP95Millis(agg.setup.quantile(0.95))
                .build();
    }

    /** Avro single-object, or plain JSON for dashboard tools (natshift.output.format). */
    static <T extends SpecificRecord> Serde<T> output(Serde<T> avro, boolean json) {
        if (!json) {
            return avro;
        }
        return org.apache.kafka.common.serialization.Serdes.serdeFrom(JsonRecords.<T>serializer(), avro.deserializer());
    }
}
