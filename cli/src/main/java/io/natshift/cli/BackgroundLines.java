package io.natshift.cli;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import io.natshift.decode.IkeMessage;

/**
 * Formats lines on a second thread, so reading and decoding (this thread) and text formatting
 * (the writer thread) use both cores. Batches go through a bounded queue: when the output is slower
 * than decoding, decoding waits (backpressure); nothing is dropped.
 */
final class BackgroundLines implements AutoCloseable {
    private static final int BATCH = 1024;
    private static final int QUEUED_BATCHES = 8;

    private static final class Batch {
        final byte[][] sources = new byte[BATCH][];
        final long[] frames = new long[BATCH];
        final long[] timestamps = new long[BATCH];
        final IkeMessage[] messages = new IkeMessage[BATCH];
        int size;
        /** Set on the batch that asks the writer to flush; the caller waits for it. */
        boolean flush;
        boolean last;
    }

    private final PacketLines lines;
    private final byte[] probe;
    private final byte[] vantage;
    private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(QUEUED_BATCHES);
    private final BlockingQueue<Batch> done = new ArrayBlockingQueue<>(1);
    private final Thread writer;
    private volatile IOException failure;
    private Batch current = new Batch();

    BackgroundLines(PacketLines lines, byte[] probe, byte[] vantage) {
        this.lines = lines;
        this.probe = probe;
        this.vantage = vantage;
        this.writer = new Thread(this::drain, "natshift-decode-writer");
        writer.setDaemon(true);
        writer.start();
    }

    void write(byte[] source, long frame, long timestampMicros, IkeMessage m) throws IOException {
        Batch b = current;
        b.sources[b.size] = source;
        b.frames[b.size] = frame;
        b.timestamps[b.size] = timestampMicros;
        b.messages[b.size] = m;
        if (++b.size == BATCH) {
            send(b);
            current = new Batch();
        }
    }

    /** Returns once everything written so far is formatted and flushed to the output. */
    void flush() throws IOException {
        Batch b = current;
        b.flush = true;
        send(b);
        current = new Batch();
        await();
    }

    @Override
    public void close() throws IOException {
        Batch b = current;
        b.flush = true;
        b.last = true;
        send(b);
        await();
    }

    private void send(Batch b) throws IOException {
        check();
        try {
            queue.put(b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing output");
        }
    }

    private void await() throws IOException {
        try {
            done.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing output");
        }
        check();
    }

    /** Output failures are unchecked so that callers' read-error handling cannot mistake them for input errors. */
    private void check() {
        if (failure != null) {
            throw new UncheckedIOException("cannot write output: " + failure.getMessage(), failure);
        }
    }

    private void drain() {
        try {
            while (true) {
                Batch b = queue.take();
                if (failure == null) {
                    try {
                        for (int i = 0; i < b.size; i++) {
                            lines.write(probe, b.sources[i], vantage, b.frames[i], b.timestamps[i], b.messages[i]);
                        }
                        if (b.flush) {
                            lines.flush();
                        }
                    } catch (IOException | UncheckedIOException e) {
                        failure = e instanceof IOException io ? io : ((UncheckedIOException) e).getCause();
                    }
                }
                if (b.flush) {
                    done.put(b);
                }
                if (b.last) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
