package io.natshift.topology.correlation;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.natshift.schemas.Topics;
import io.natshift.topology.ConfigValues;
import io.natshift.topology.TopologyConfig;

/**
 * Settings of the cross-vantage outputs: NAT bindings, pool/gateway/subscriber statistics and
 * privacy. Read from the same natshift.* properties as TopologyConfig; keys and defaults are
 * documented in docs/pools.md.
 *
 * @param bindingsTopic        natshift.nat-bindings.topic
 * @param poolStatsTopic       natshift.pool-stats.topic
 * @param gatewayStatsTopic    natshift.gateway-stats.topic
 * @param subscriberStatsTopic natshift.subscriber-stats.topic
 * @param pools                natshift.pools.file: operator's pools (name = CIDR list); empty = derive from the data
 * @param verdict              natshift.verdict.min.floats / natshift.verdict.min.shifts
 * @param statsGrace           natshift.stats.grace.ms: how late a fact may arrive and still count in its window;
 *                             default {@link TopologyConfig#factLag()} + natshift.stats.skew.ms
 * @param factLag              {@link TopologyConfig#factLag()}: how long after an interval's end its facts may still
 *                             come from a tracker task, so how long that task holds the interval's partials
 * @param partialsInterval     natshift.stats.partials.interval.ms: a tracker task sums its facts per statistics
 *                             key and interval and sends each sum once the interval is over; divides a minute
 * @param maxPoolBlocks        natshift.pools.max.blocks: cap on address blocks the pool resolver remembers
 * @param privacy              natshift.privacy.pseudonymize + natshift.privacy.secret
 * @param bindingsMemory       natshift.nat-bindings.memory.ms: how long an SA id's binding is remembered,
 *                             so the same attempt summarised again is neither counted twice nor
 *                             allowed to replace a more complete binding
 */
public record CorrelationConfig(String bindingsTopic, String poolStatsTopic, String gatewayStatsTopic,
                                String subscriberStatsTopic, PoolMap pools, Verdicts verdict, Duration statsGrace,
                                Duration factLag, Duration partialsInterval, int maxPoolBlocks, Pseudonymizer privacy, Duration bindingsMemory) {

    /** Default of natshift.stats.skew.ms: see {@link #defaultStatsGrace}. */
    public static final long DEFAULT_STATS_SKEW_MS = 30_000;
    /** Default of natshift.nat-bindings.memory.ms: a day, the longest common IKE SA lifetime (Cisco's default). */
    public static final long DEFAULT_BINDINGS_MEMORY_MS = 86_400_000;

    public static CorrelationConfig defaults() {
        return from(Map.of());
    }

    public static CorrelationConfig from(Map<?, ?> props) {
        String prefix = ConfigValues.string(props, "natshift.topic.prefix", "");
        String poolsFile = ConfigValues.string(props, "natshift.pools.file", "");
        boolean pseudonymize = ConfigValues.bool(props, "natshift.privacy.pseudonymize");
        Duration factLag = TopologyConfig.from(props).factLag();
        return new CorrelationConfig(
                ConfigValues.string(props, "natshift.nat-bindings.topic", prefix + Topics.NAT_BINDINGS.name()),
                ConfigValues.string(props, "natshift.pool-stats.topic", prefix + Topics.POOL_STATS.name()),
                ConfigValues.string(props, "natshift.gateway-stats.topic", prefix + Topics.GATEWAY_STATS.name()),
                ConfigValues.string(props, "natshift.subscriber-stats.topic", prefix + Topics.SUBSCRIBER_STATS.name()),
                poolsFile.isEmpty() ? PoolMap.empty() : PoolMap.load(Path.of(poolsFile)),
                new Verdicts(ConfigValues.number(props, "natshift.verdict.min.floats", Verdicts.DEFAULT_MIN_FLOATS, 1),
                        ConfigValues.number(props, "natshift.verdict.min.shifts", Verdicts.DEFAULT_MIN_SHIFTS, 1)),
                Duration.ofMillis(ConfigValues.number(props, "natshift.stats.grace.ms", defaultStatsGrace(factLag, props).toMillis(), 1)),
                factLag,
                partialsInterval(props),
                ConfigValues.count(props, "natshift.pools.max.blocks", 1_000_000, 1, Integer.MAX_VALUE),
                pseudonymize ? Pseudonymizer.withSecret(ConfigValues.string(props, "natshift.privacy.secret", "")) : Pseudonymizer.off(),
                Duration.ofMillis(ConfigValues.number(props, "natshift.nat-bindings.memory.ms", DEFAULT_BINDINGS_MEMORY_MS, 1)));
    }

    /**
     * The lag a statistics window must allow: how far one tracker task's facts may trail each other
     * (TopologyConfig.factLag(), from the tracker's grace, punctuate interval and scan bucket) plus
     * natshift.stats.skew.ms, how far tracker tasks (input partitions) may be apart in stream time
     * when their facts meet in a statistics task: nothing in the config bounds that, it depends on
     * how evenly the partitions are fed and consumed.
     */
    private static Duration defaultStatsGrace(Duration factLag, Map<?, ?> props) {
        return factLag.plusMillis(ConfigValues.number(props, "natshift.stats.skew.ms", DEFAULT_STATS_SKEW_MS, 0));
    }

    /**
     * How often pool and gateway statistics change: their partials go out once per interval of
     * capture time (+ the fact lag). A minute by default, the statistics' smallest window: each
     * minute window is written once, complete, and the statistics' dozen partitions join about one
     * transaction a minute. Must divide a minute, so no partial straddles two windows.
     */
    private static Duration partialsInterval(Map<?, ?> props) {
        long ms = ConfigValues.number(props, "natshift.stats.partials.interval.ms", 60_000, 1);
        if (ms > 60_000 || 60_000 % ms != 0) {
            throw new IllegalArgumentException("natshift.stats.partials.interval.ms must divide a minute (60000), not " + ms);
        }
        return Duration.ofMillis(ms);
    }

    public List<String> outputTopics() {
        return List.of(bindingsTopic, poolStatsTopic, gatewayStatsTopic, subscriberStatsTopic);
    }

    /** The default output topics under the prefix of {@code alertsTopic}: for tests and benches that create topics by hand. */
    public static List<String> outputTopicsBeside(String alertsTopic) {
        return beside(alertsTopic).outputTopics();
    }

    /** Defaults, with the output topics under the same natshift.topic.prefix as {@code alertsTopic}. */
    public static CorrelationConfig beside(String alertsTopic) {
        return beside(alertsTopic, Map.of());
    }

    /** {@code settings} (natshift.* keys) with the output topics under the same natshift.topic.prefix as {@code alertsTopic}. */
    public static CorrelationConfig beside(String alertsTopic, Map<String, String> settings) {
        String alerts = Topics.ALERTS.name();
        String prefix = alertsTopic.endsWith(alerts) ? alertsTopic.substring(0, alertsTopic.length() - alerts.length()) : "";
        Map<String, String> props = new HashMap<>(settings);
        props.put("natshift.topic.prefix", prefix);
        return from(props);
    }

    public CorrelationConfig withPools(PoolMap map) {
        return new CorrelationConfig(bindingsTopic, poolStatsTopic, gatewayStatsTopic, subscriberStatsTopic, map, verdict,
                statsGrace, factLag, partialsInterval, maxPoolBlocks, privacy, bindingsMemory);
    }



}
