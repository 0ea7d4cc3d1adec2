package io.natshift.publish;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Hands finished records to one sender thread in batches, so that reading, decoding and
 * serializing (the caller) overlap with the producer's append and compression (the sender).
 * Order is kept. Bounded: at most {@link #QUEUED_BATCHES} batches wait; then the caller blocks,
 * which for file replay is back-pressure, not loss.
 */
final class SendPipeline implements AutoCloseable {
    static final int BATCH = 256;
    static final int QUEUED_BATCHES = 64;

    private record Pending(ProducerRecord<byte[], byte[]> record, Callback callback) {
    }

    private static final List<Pending> END = List.of();

    private final Producer<byte[], byte[]> producer;
    private final Consumer<Exception> onFailure;
    private final BlockingQueue<List<Pending>> queue = new ArrayBlockingQueue<>(QUEUED_BATCHES);
    private final Thread sender;
    private List<Pending> filling = new ArrayList<>(BATCH);

    SendPipeline(Producer<byte[], byte[]> producer, Consumer<Exception> onFailure) {
        this.producer = producer;
        this.onFailure = onFailure;
        this.sender = new Thread(this::sendLoop, "natshift-sender");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    void send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        filling.add(new Pending(record, callback));
        if (filling.size() == BATCH) {
            handOff(filling);
            filling = new ArrayList<>(BATCH);
        }
    }

    private void handOff(List<Pending> batch) {
        try {
            queue.put(batch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted handing records to the sender", e);
        }
    }

    private void sendLoop() {
        try {
            List<Pending> batch;
            while ((batch = queue.take()) != END) {
                for (Pending p : batch) {
                    try {
                        producer.send(p.record, p.callback);
                    } catch (RuntimeException e) {
                        // send throws only for a closed or fenced producer: every later record would fail too
                        onFailure.accept(e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends what is left and waits until the sender has passed every record to the producer. */
    @Override
    public void close() throws InterruptedException {
        if (!filling.isEmpty()) {
            handOff(filling);
            filling = new ArrayList<>(BATCH);
        }
        queue.put(END);
        sender.join();
    }
}
