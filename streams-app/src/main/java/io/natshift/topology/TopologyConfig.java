package io.natshift.topology;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import io.natshift.schemas.Topics;

/**
 * Everything the topology is built from. Defaults are sized against strongSwan, whose initiator
 * retransmits at 4, 11, 24, 47 and 89 s and gives up at 165 s: the longest quiet gap inside a live
 * negotiation is 76 s. Keys and defaults are documented in docs/topology.md.
 *
 * @param inputTopic            natshift.input.topic
 * @param alertsTopic           natshift.alerts.topic
 * @param sessionsTopic         natshift.sessions.topic
 * @param outputFormat          natshift.output.format: avro (single-object) or json
 * @param grace                 natshift.grace.ms: how far out of order records may arrive and still give the same result
 * @param negotiationIdle       natshift.negotiation.idle.ms: an attempt not established and quiet this long has failed
 * @param negotiationMax        natshift.negotiation.max.ms: an attempt not established this long after its first packet has failed
 * @param establishedIdle       natshift.established.idle.ms: an established SA quiet this long is summarised
 * @param establishedReportMax  natshift.established.report.max.ms: an established SA is summarised at the latest this long after establishment
 * @param retention             natshift.state.retention.ms: how long a summarised SA is kept to absorb its late packets (DPD, delete)
 * @param maxLiveSasPerTask     natshift.max.live.sas.per.task: cap on SAs in state per task; packets of new SAs beyond it are dropped and counted
 * @param punctuateInterval     natshift.punctuate.interval.ms: stream-time interval of the timeout scan
 * @param stateObjectCache      natshift.state.object.cache: decoded SA states kept on the heap per task in front of sa-state (SaStateStore; 0 = off)
 * @param statePackedBytes      natshift.state.packed.bytes: heap per task for encoded SA states behind the object map (PackedStates; 0 = none)
 */
public record TopologyConfig(String inputTopic, String alertsTopic, String sessionsTopic, OutputFormat outputFormat,
                             Duration grace, Duration negotiationIdle, Duration negotiationMax, Duration establishedIdle,
                             Duration establishedReportMax, Duration retention, int maxLiveSasPerTask,
                             Duration punctuateInterval, int stateObjectCache, long statePackedBytes) {

    public enum OutputFormat { AVRO, JSON }

    public static final String PREFIX = "natshift.";

    public static TopologyConfig defaults() {
        return from(Map.of());
    }

    /** Reads natshift.* keys (see the record components); unknown keys are left to Kafka Streams. */
    public static TopologyConfig from(Map<?, ?> props) {
        String prefix = ConfigValues.string(props, "natshift.topic.prefix", "");
        TopologyConfig c = new TopologyConfig(
                ConfigValues.string(props, "natshift.input.topic", prefix + Topics.IKE_PACKETS.name()),
                ConfigValues.string(props, "natshift.alerts.topic", prefix + Topics.ALERTS.name()),
                ConfigValues.string(props, "natshift.sessions.topic", prefix + Topics.SESSIONS.name()),
                format(ConfigValues.string(props, "natshift.output.format", "avro")),
                millis(props, "natshift.grace.ms", 2_000),
                millis(props, "natshift.negotiation.idle.ms", 90_000),
                millis(props, "natshift.negotiation.max.ms", 200_000),
                millis(props, "natshift.established.idle.ms", 30_000),
                millis(props, "natshift.established.report.max.ms", 120_000),
                millis(props, "natshift.state.retention.ms", 300_000),
                ConfigValues.count(props, "natshift.max.live.sas.per.task", 250_000, 0, Integer.MAX_VALUE),
                millis(props, "natshift.punctuate.interval.ms", 1_000),
                ConfigValues.count(props, "natshift.state.object.cache", 50_000, 0, SpiTable.MAX_CAPACITY),
                ConfigValues.number(props, "natshift.state.packed.bytes", 32L << 20, 0));
        c.validate();
        return c;
    }

    /**
     * How far stream time must move past the last input record for every SA to be summarised, every
     * alert outcome decided and every statistic sent: an end-of-input heartbeat at (last record + this)
     * drains the topology. The last fact is stamped at most the longest timeout after the last record;
     * its task holds that fact's statistics partial until the end of its interval (at most a minute,
     * natshift.stats.partials.interval.ms) + fact lag.
     */
    public Duration drainAfter() {
        Duration longest = negotiationMax.compareTo(establishedReportMax) > 0 ? negotiationMax : establishedReportMax;
        return longest.plus(grace).plus(punctuateInterval).plus(Duration.ofMinutes(1)).plus(factLag());
    }

    /**
     * How far a per-SA fact (NatBinding) may trail, in event time, the latest fact its task emitted
     * before it. A fact is stamped with its attempt's deadline and emitted by the timeout scan, which
     * runs whenever stream time has moved a punctuate interval and closes SAs whose deadline + grace
     * has passed, in deadline buckets of {@link #scanBucket()}; between scans a packet past its SA's
     * deadline closes the SA itself. So a fact is never more than grace + punctuate interval behind
     * an earlier one, plus the bucket the scan does not sort within (records later than the grace
     * excepted: they are counted as late-records). Windowed statistics must allow at least this.
     */
    public Duration factLag() {
        return grace.plus(punctuateInterval).plus(scanBucket());
    }

    /** Width of the deadline buckets the timeout scan polls (DeadlineWheel). */
    Duration scanBucket() {
        return Duration.ofMillis(Math.max(1_000, punctuateInterval.toMillis()));
    }

    public TopologyConfig withOutputFormat(OutputFormat format) {
        return new TopologyConfig(inputTopic, alertsTopic, sessionsTopic, format, grace, negotiationIdle, negotiationMax,
                establishedIdle, establishedReportMax, retention, maxLiveSasPerTask, punctuateInterval, stateObjectCache, statePackedBytes);
    }

    public TopologyConfig withStateObjectCache(int entries) {
        return new TopologyConfig(inputTopic, alertsTopic, sessionsTopic, outputFormat, grace, negotiationIdle, negotiationMax,
                establishedIdle, establishedReportMax, retention, maxLiveSasPerTask, punctuateInterval, entries, statePackedBytes);
    }

    public TopologyConfig withStatePackedBytes(long bytes) {
        return new TopologyConfig(inputTopic, alertsTopic, sessionsTopic, outputFormat, grace, negotiationIdle, negotiationMax,
                establishedIdle, establishedReportMax, retention, maxLiveSasPerTask, punctuateInterval, stateObjectCache, bytes);
    }

    public TopologyConfig withMaxLiveSasPerTask(int cap) {
        return new TopologyConfig(inputTopic, alertsTopic, sessionsTopic, outputFormat, grace, negotiationIdle, negotiationMax,
                establishedIdle, establishedReportMax, retention, cap, punctuateInterval, stateObjectCache, statePackedBytes);
    }

    private void validate() {
        if (maxLiveSasPerTask < 1) {
            throw new IllegalArgumentException("natshift.max.live.sas.per.task must be at least 1, not " + maxLiveSasPerTask);
        }
        if (punctuateInterval.toMillis() < 1) {
            throw new IllegalArgumentException("natshift.punctuate.interval.ms must be at least 1");
        }
        if (negotiationIdle.compareTo(grace) <= 0) {
            throw new IllegalArgumentException("natshift.negotiation.idle.ms must exceed natshift.grace.ms");
        }
    }



    private static Duration millis(Map<?, ?> props, String key, long fallback) {
        return Duration.ofMillis(ConfigValues.number(props, key, fallback, 0));
    }

    private static OutputFormat format(String value) {
        try {
            return OutputFormat.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("natshift.output.format must be avro or json, not '" + value + "'", e);
        }
    }
}
