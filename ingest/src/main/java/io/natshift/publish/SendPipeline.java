package io.natshift.publish;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands finished records to one sender thread in batches, so that reading, decoding and
 * serializing (the caller) overlap with the producer's append, compression and transaction
 * commits (the sender, through {@link TransactionalSender}). Order is kept. Bounded: at most
 * {@link #QUEUED_BATCHES} batches wait; then the caller blocks, which for file replay is
 * back-pressure, not loss (live capture has its own dropping queue before this one).
 */
final class SendPipeline implements AutoCloseable {
    static final int BATCH = 256;
    static final int QUEUED_BATCHES = 64;
    /** A partly filled batch goes to the sender after this long, so a slow source is not held back. */
    static final long HAND_OFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final List<TransactionalSender.Outgoing> END = List.of();

    private final TransactionalSender transactions;
    private final BlockingQueue<List<TransactionalSender.Outgoing>> queue = new ArrayBlockingQueue<>(QUEUED_BATCHES);
    private final Thread sender;
    private List<TransactionalSender.Outgoing> filling = new ArrayList<>(BATCH);
    private long fillingSinceNanos;

    SendPipeline(TransactionalSender transactions) {
        this.transactions = transactions;
        this.sender = new Thread(this::sendLoop, "natshift-sender");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    void send(TransactionalSender.Outgoing record) {
        filling.add(record);
        if (filling.size() == 1) {
            fillingSinceNanos = System.nanoTime();
        } else if (filling.size() == BATCH || System.nanoTime() - fillingSinceNanos > HAND_OFF_NANOS) {
            handOff();
        }
    }

    void handOffIfOld() {
        if (!filling.isEmpty() && System.nanoTime() - fillingSinceNanos > HAND_OFF_NANOS) {
            handOff();
        }
    }

    /** Passes whatever is filled to the sender now (before a pause of the source). */
    void handOff() {
        if (filling.isEmpty()) {
            return;
        }
        try {
            queue.put(filling);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted handing records to the sender", e);
        }
        filling = new ArrayList<>(BATCH);
    }

    private void sendLoop() {
        try {
            transactions.init();
            while (true) {
                long wait = transactions.millisUntilDue();
                List<TransactionalSender.Outgoing> batch = wait == Long.MAX_VALUE ? queue.take() : queue.poll(wait, TimeUnit.MILLISECONDS);
                if (batch == null) {
                    transactions.commitIfDue();
                } else if (batch == END) {
                    transactions.finish();
                    return;
                } else {
                    for (TransactionalSender.Outgoing o : batch) {
                        try {
                            transactions.send(o);
                        } catch (RuntimeException e) {
                            // a producer in a state it should not be in: stop sending, keep draining so the caller never blocks
                            transactions.abandon(e);
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends what is left and waits until the sender has committed (or failed) every record. */
    @Override
    public void close() throws InterruptedException {
        handOff();
        queue.put(END);
        sender.join();
    }
}
