package io.natshift.publish;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records in Kafka transactions of bounded size and keeps each transaction's records until
 * its commit succeeds; an aborted transaction is begun again and its records resent.
 * <p>Why transactions: the broker remembers an idempotent producer per partition with the batch's
 * max record timestamp and forgets it when that is older than {@code producer.id.expiration.ms}
 * (on snapshot load at restart and periodically), unless a transaction of that producer is open
 * there. Capture timestamps are months old, so after a broker restart a retried in-flight batch
 * would be appended again. Inside an open transaction the producer state survives, the retry is
 * recognised as a duplicate, and aborted attempts stay invisible to read_committed consumers.
 * <p>Runs on one thread (the pipeline's sender); counts on commit, so {@code published} means
 * committed.
 */
final class TransactionalSender {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalSender.class);
    /** Key, value and the record's own overhead in the producer's buffer, roughly. */
    private static final int RECORD_OVERHEAD_BYTES = 64;

    /**
     * A transaction is committed at whichever limit comes first. Records: bounds memory and the
     * resend after an abort; bytes: the same for large records; time: bounds the latency a
     * read_committed consumer sees (a live probe's records become visible within it).
     */
    record Limits(int maxRecords, long maxBytes, long maxMillis) {
        static final Limits DEFAULT = new Limits(100_000, 32L << 20, 200);
    }

    /** One record and whether it is a heartbeat (counted apart from IKE packets). */
    record Outgoing(ProducerRecord<byte[], byte[]> record, boolean heartbeat) {
        long bytes() {
            return (record.key() == null ? 0 : record.key().length) + record.value().length + RECORD_OVERHEAD_BYTES;
        }
    }

    private final Producer<byte[], byte[]> producer;
    private final Limits limits;
    private final IngestCounters counters;
    private final Consumer<Exception> onFailure;
    private final List<Outgoing> kept = new ArrayList<>();
    private final AtomicReference<Exception> sendError = new AtomicReference<>();
    private final Callback callback = (metadata, e) -> {
        if (e != null) {
            sendError.compareAndSet(null, e);
        }
    };
    private long keptBytes;
    private int keptHeartbeats;
    private boolean open;
    private long openedNanos;
    private boolean failed;

    TransactionalSender(Producer<byte[], byte[]> producer, Limits limits, IngestCounters counters, Consumer<Exception> onFailure) {
        this.producer = producer;
        this.limits = limits;
        this.counters = counters;
        this.onFailure = onFailure;
    }

    /** Registers the transactional id with the coordinator (fences an older producer with the same id). */
    void init() {
        try {
            producer.initTransactions();
        } catch (KafkaException e) {
            fail(e);
        }
    }

    void send(Outgoing o) {
        if (failed) {
            if (!o.heartbeat()) {
                counters.failed.incrementAndGet();
            }
            return;
        }
        if (!open) {
            try {
                producer.beginTransaction();
            } catch (KafkaException e) {
                failed(o, e);
                return;
            }
            open = true;
            openedNanos = System.nanoTime();
        }
        kept.add(o);
        keptBytes += o.bytes();
        if (o.heartbeat()) {
            keptHeartbeats++;
        }
        if (!sendKept(o) || kept.size() >= limits.maxRecords() || keptBytes >= limits.maxBytes() || millisUntilDue() == 0) {
            commit();
        }
    }

    /** How long the open transaction may still take, for the sender's wait; MAX_VALUE when none is open. */
    long millisUntilDue() {
        if (!open) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, limits.maxMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedNanos));
    }

    void commitIfDue() {
        if (open && millisUntilDue() == 0) {
            commit();
        }
    }

    /** Commits what is open; the end of a run. */
    void finish() {
        if (open) {
            commit();
        }
    }

    private boolean sendKept(Outgoing o) {
        try {
            producer.send(o.record(), callback);
            return true;
        } catch (KafkaException e) {
            // the transaction is already in an error state (an earlier record failed): commit() sorts it out
            sendError.compareAndSet(null, e);
            return false;
        }
    }

    /**
     * Commits; on an abortable error aborts, begins again and resends the kept records, until the
     * commit succeeds, an error is fatal, or the records are older than the delivery timeout.
     */
    private void commit() {
        long deadline = openedNanos + TimeUnit.MILLISECONDS.toNanos(ProducerSettings.DELIVERY_TIMEOUT_MS);
        while (true) {
            Exception error;
            try {
                producer.commitTransaction();
                counters.published.addAndGet(kept.size() - keptHeartbeats);
                counters.heartbeats.addAndGet(keptHeartbeats);
                counters.transactions.incrementAndGet();
                clear();
                return;
            } catch (KafkaException e) {
                error = e;
            }
            Exception recordError = sendError.getAndSet(null);
            Exception reason = recordError != null ? recordError : error;
            if (isFatal(error) || isFatal(recordError) || System.nanoTime() - deadline > 0) {
                abortQuietly();
                fail(reason);
                return;
            }
            LOG.warn("transaction of {} records aborted, sending them again: {}", kept.size(), reason.toString());
            try {
                producer.abortTransaction();
                counters.transactionsAborted.incrementAndGet();
                counters.recordsResent.addAndGet(kept.size());
                producer.beginTransaction();
            } catch (KafkaException e) {
                fail(e);
                return;
            }
            for (Outgoing o : kept) {
                if (!sendKept(o)) {
                    break;
                }
            }
        }
    }

    /**
     * Fatal: the producer cannot go on (fenced, not authorised, sequence lost, broker too old) or
     * the broker refused the data itself (an {@link ApiException} that is neither retriable nor
     * transaction-abortable, e.g. a timestamp out of range): sending it again would fail again.
     */
    static boolean isFatal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof OutOfOrderSequenceException || t instanceof AuthorizationException
                    || t instanceof AuthenticationException || t instanceof UnsupportedVersionException) {
                return true;
            }
            if (t instanceof ApiException && !(t instanceof RetriableException || t instanceof TransactionAbortableException
                    || t instanceof InvalidProducerEpochException)) {
                return true;
            }
        }
        return false;
    }

    private void abortQuietly() {
        try {
            // so read_committed consumers need not wait for the transaction timeout
            producer.abortTransaction();
        } catch (KafkaException e) {
            LOG.debug("abort after a fatal error failed too: {}", e.toString());
        }
    }

    private void fail(Exception e) {
        failed = true;
        counters.failed.addAndGet(kept.size() - keptHeartbeats);
        clear();
        onFailure.accept(e);
    }

    /** Gives up after an unexpected error: later records are counted as failed, not sent. */
    void abandon(RuntimeException e) {
        if (!failed) {
            fail(e);
        }
    }

    private void failed(Outgoing o, Exception e) {
        if (!o.heartbeat()) {
            counters.failed.incrementAndGet();
        }
        fail(e);
    }

    private void clear() {
        kept.clear();
        keptBytes = 0;
        keptHeartbeats = 0;
        open = false;
    }
}
