package io.natshift.topology;

import java.nio.ByteBuffer;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.ProbeHeartbeat;
import io.natshift.topology.correlation.StatsTopology;

/**
 * Follows every IKE SA of its task: one sa-state entry per initiator SPI, read and written once
 * per packet. Emits a NatShift alert the moment a shift is seen, its outcome once known, and one
 * session summary per attempt when a stream-time deadline passes (never the wall clock).
 *
 * <p>Deadlines are decided from record timestamps only, so output does not depend on when the
 * scan runs: a packet later than its SA's deadline never joins it, and the scan closes an SA once
 * stream time passes its deadline plus the grace period.
 */
final class SaTracker implements Processor<byte[], SpecificRecord, String, SpecificRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(SaTracker.class);
    private static final long LOG_EVERY = 10_000;

    private final TopologyConfig config;
    private final TopologyCounters counters;
    private final long grace;
    /** Stream time between timeout scans (natshift punctuate interval), read once: checked on every record. */
    private final long scanEvery;
    private final DeadlineWheel wheel;

    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<Long, SaState> store;
    private long liveSas;
    /** Stream time of the last timeout scan. */
    private long scannedAt;
    private long capDroppedHere;
    private long lateHere;

    SaTracker(TopologyConfig config, TopologyCounters counters) {
        this.config = config;
        this.counters = counters;
        this.grace = config.grace().toMillis();
        this.scanEvery = config.punctuateInterval().toMillis();
        this.wheel = new DeadlineWheel(config.scanBucket().toMillis());
    }

    // sa-state keeps decoded objects in front of RocksDB (SaStateStore): a get is a map lookup and a
    // put marks the object dirty; both cost no encode or decode for an active SA
    private SaState load(long spi) {
        return store.get(spi);
    }

    private void save(long spi, SaState s) {
        store.put(spi, s);
    }

    private void remove(long spi) {
        store.delete(spi);
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.store = context.getStateStore(NatshiftTopology.SA_STORE);
        wheel.clear();
        liveSas = 0;
        scannedAt = Long.MIN_VALUE;
        // the index is not persisted: rebuild it from the (restored) store
        try (KeyValueIterator<Long, SaState> all = store.all()) {
            while (all.hasNext()) {
                var entry = all.next();
                liveSas++;
                wheel.add(wheel.bucket(deadline(entry.value)), entry.key);
            }
        }
        context.schedule(config.punctuateInterval(), PunctuationType.STREAM_TIME, this::expire);
    }

    @Override
    public void process(Record<byte[], SpecificRecord> record) {
        long now = context.currentStreamTimeMs();
        if (scannedAt == Long.MIN_VALUE || now - scannedAt >= scanEvery) {
            // Scan before the record rather than after it (the punctuator's turn): when stream time jumps,
            // the SAs it made due are summarised, in deadline order, before this record can close its own
            // SA at a later deadline. That keeps facts within factLag() of each other (StatsTopology).
            expire(now);
        }
        if (record.value() instanceof ProbeHeartbeat) {
            counters.heartbeats.increment();   // it has moved stream time; nothing else to do
            return;
        }
        if (!(record.value() instanceof IkePacket p) || record.key() == null || record.key().length != 8) {
            counters.poisonRecords.increment();
            LOG.warn("record skipped: {}: not an IkePacket keyed by an 8-byte initiator SPI", where());
            return;
        }
        counters.packets.increment();
        long ts = record.timestamp();
        if (ts < context.currentStreamTimeMs() - grace) {
            counters.lateRecords.increment();
            if (lateHere++ % LOG_EVERY == 0) {
                LOG.warn("late record (beyond grace {} ms, stream time {}): {} ({} late in this task so far)", grace,
                        context.currentStreamTimeMs(), where(), lateHere);
            }
        }
        long spi = ByteBuffer.wrap(record.key()).getLong();
        long rspi = ByteBuffer.wrap(p.getResponderSpi().bytes()).getLong();

        SaState s = load(spi);
        if (s != null && routine(s, p, ts)) {
            counters.routinePackets.increment();
            return;   // nothing a summary or an alert reports would change: no write
        }
        long oldBucket = Long.MIN_VALUE;
        if (s == null) {
            if (liveSas >= config.maxLiveSasPerTask()) {
                counters.capDropped.increment();
                if (capDroppedHere++ % LOG_EVERY == 0) {
                    LOG.warn("live SA cap {} of task {} reached: packets of new SAs dropped ({} so far)",
                            config.maxLiveSasPerTask(), context.taskId(), capDroppedHere);
                }
                return;
            }
            s = new SaState();
            liveSas++;
        } else {
            oldBucket = wheel.bucket(deadline(s));
            if (!s.has(SaState.REPORTED) && (ts > deadline(s) || isOtherAttempt(s, rspi))) {
                // past its deadline or another responder SPI: the attempt is over before this packet
                boolean superseded = ts <= deadline(s);
                if (superseded) {
                    counters.supersededAttempts.increment();
                }
                close(spi, s, superseded ? "superseded" : closedBy(s), superseded ? ts : deadline(s));
            }
            if (s.has(SaState.REPORTED) && startsNewAttempt(s, p, rspi, ts)) {
                s = new SaState();
            }
        }
        if (s.responderSpi == 0 && rspi != 0) {
            s.responderSpi = rspi;
        }
        if (rspi == 0) {
            s.flags |= SaState.SAW_START;
        }

        Negotiation.apply(s, p, ts);

        if (!s.has(SaState.REPORTED)) {
            emitAlerts(spi, s, ts);
        }
        long newBucket = wheel.bucket(deadline(s));
        if (newBucket != oldBucket) {
            wheel.add(newBucket, spi);
        }
        save(spi, s);
    }

    /**
     * Routine traffic of an established SA: an informational exchange (DPD, liveness) between its
     * current endpoints, without a cleartext notify. It changes nothing reported, so it is not
     * recorded; for an SA already summarised it still refreshes the retention clock, at most every
     * half retention period (see {@link #deadline}), so a long-lived SA is not forgotten while it talks.
     */
    private boolean routine(SaState s, IkePacket p, long ts) {
        if (!s.established() || !p.getNotifyTypes().isEmpty()) {
            return false;
        }
        int ex = p.getExchangeType();
        if (ex != (p.getMajorVersion() == 2 ? Ike.V2_INFORMATIONAL : Ike.V1_INFORMATIONAL)) {
            return false;
        }
        View v = s.view(p.getVantage());
        if (v == null || v.currentAddr == null || v.responderAddr == null) {
            return false;
        }
        boolean between = (p.getSrcAddr().equals(v.currentAddr) && p.getDstAddr().equals(v.responderAddr))
                || (p.getSrcAddr().equals(v.responderAddr) && p.getDstAddr().equals(v.currentAddr));
        if (!between) {
            return false;
        }
        if (s.has(SaState.REPORTED)) {
            return ts - s.lastTs < refreshEvery();
        }
        return ts <= deadline(s);
    }

    private static boolean isOtherAttempt(SaState s, long rspi) {
        return rspi != 0 && s.responderSpi != 0 && rspi != s.responderSpi;
    }

    /** After a summary, a new responder SPI or a new first message after the quiet period starts over. */
    private boolean startsNewAttempt(SaState s, IkePacket p, long rspi, long ts) {
        if (isOtherAttempt(s, rspi)) {
            return true;
        }
        boolean first = p.getMajorVersion() == 2
                ? p.getExchangeType() == Ike.V2_IKE_SA_INIT && (p.getFlags() & Ike.V2_FLAG_RESPONSE) == 0
                : p.getNextPayload() == Ike.PAYLOAD_SA && rspi == 0;
        return first && rspi == 0 && ts > s.lastTs + config.negotiationIdle().toMillis();
    }

    private void emitAlerts(long spi, SaState s, long ts) {
        if (!s.has(SaState.ALERTED)) {
            for (int i = 0; i < s.views.size(); i++) {
                View v = s.views.get(i);
                if (v.shift) {
                    s.alertView = i;
                    s.flags |= SaState.ALERTED;
                    forwardAlert(spi, s, Outputs.PENDING, ts, ts);
                    break;
                }
            }
        }
        if (s.has(SaState.ALERTED) && !s.has(SaState.OUTCOME_SENT) && s.established()) {
            // the responder followed the new address and the SA completed
            s.flags |= SaState.OUTCOME_SENT;
            forwardAlert(spi, s, Outputs.RECOVERED, ts, ts);
        }
    }

    private void forwardAlert(long spi, SaState s, String outcome, long outcomeAt, long ts) {
        counters.alerts.increment();
        var alert = Outputs.alert(spi, s, s.views.get(s.alertView), outcome, outcomeAt);
        context.forward(new Record<String, SpecificRecord>(alert.getSaId(), alert, ts), NatshiftTopology.ALERTS_SINK);
    }

    private void close(long spi, SaState s, String closedBy, long at) {
        var session = Outputs.session(spi, s, closedBy);
        counters.sessions.increment();
        context.forward(new Record<String, SpecificRecord>(session.getSaId(), session, at), NatshiftTopology.SESSIONS_SINK);
        Record<String, SpecificRecord> fact = new Record<>(session.getSaId(), NatBindings.of(spi, s), at);
        if (s.has(SaState.SAW_START) && s.responderSpi != 0) {
            // seen from its first message and answered: not a forgotten SA summarised again (StatsTopology)
            fact.headers().add(StatsTopology.FROM_START_HEADER, null);
        }
        context.forward(fact, NatshiftTopology.SA_FACTS);
        if (s.has(SaState.ALERTED) && !s.has(SaState.OUTCOME_SENT)) {
            s.flags |= SaState.OUTCOME_SENT;
            forwardAlert(spi, s, s.established() ? Outputs.RECOVERED : Outputs.FAILED, at, at);
        }
        s.flags |= SaState.REPORTED;
    }

    private String closedBy(SaState s) {
        return s.established() ? "idle" : "timeout";
    }

    /** How often routine packets of a summarised SA are written, to move its stored retention clock. */
    private long refreshEvery() {
        return config.retention().toMillis() / 2;
    }

    /** When the SA's next step is due, from its own timestamps only. */
    long deadline(SaState s) {
        if (s.has(SaState.REPORTED)) {
            // lastTs lags the last (unwritten) routine packet by less than refreshEvery(): adding it keeps
            // every packet's SA for the full retention, else an SA talking every 2.5-5 min (DPD) was
            // forgotten in between and its next DPD summarised again, one-sided, under the same SA id
            return s.lastTs + config.retention().toMillis() + refreshEvery();
        }
        long established = s.establishedTs();
        if (established != View.NONE) {
            return Math.min(s.lastTs + config.establishedIdle().toMillis(), established + config.establishedReportMax().toMillis());
        }
        return Math.min(s.lastTs + config.negotiationIdle().toMillis(), s.firstTs + config.negotiationMax().toMillis());
    }

    private void expire(long streamTime) {
        scannedAt = streamTime;
        long horizon = streamTime - grace;
        long[] due;
        java.util.List<long[]> notYet = new java.util.ArrayList<>();
        while ((due = wheel.pollDue(horizon)) != null) {
            for (long spi : due) {
                SaState s = load(spi);
                if (s == null) {
                    continue;
                }
                long deadline = deadline(s);
                if (wheel.bucket(deadline) != wheel.polled()) {
                    // a stale entry: the SA moved on and is indexed under its new deadline. Even when that is
                    // due too, it is closed from its own bucket, so a scan across a stream-time jump closes
                    // SAs in deadline order and facts stay within TopologyConfig.factLag() of each other
                    continue;
                }
                if (deadline > horizon) {
                    notYet.add(new long[] {wheel.polled(), spi});   // due later within this bucket
                    continue;
                }
                if (s.has(SaState.REPORTED)) {
                    remove(spi);
                    liveSas--;
                } else {
                    close(spi, s, closedBy(s), deadline);
                    wheel.add(wheel.bucket(deadline(s)), spi);
                    save(spi, s);
                }
            }
        }
        for (long[] entry : notYet) {
            wheel.add(entry[0], entry[1]);
        }
    }

    @Override
    public void close() {
        wheel.clear();
    }

    private String where() {
        return context.recordMetadata()
                .map((RecordMetadata m) -> "topic " + m.topic() + " partition " + m.partition() + " offset " + m.offset())
                .orElse("(no record metadata)");
    }
}
