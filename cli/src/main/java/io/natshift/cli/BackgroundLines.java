package io.natshift.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import io.natshift.decode.IkeMessage;

/**
 * Formats lines on background threads, so reading and decoding (the caller's thread) and text
 * formatting (about twice the CPU of decoding) spread over the cores. Batches of packets are
 * formatted in parallel, each into its own buffer, and written to the output in the order they
 * were taken, by the caller's thread. At most {@link #IN_FLIGHT} batches are queued or being
 * formatted: when formatting or the output is slower than decoding, decoding waits (backpressure);
 * nothing is dropped.
 */
final class BackgroundLines implements AutoCloseable {
    private static final int BATCH = 1024;
    private static final int IN_FLIGHT = 8;
    private static final Batch STOP = new Batch();

    private static final class Batch {
        final byte[][] sources = new byte[BATCH][];
        final long[] frames = new long[BATCH];
        final long[] timestamps = new long[BATCH];
        final IkeMessage[] messages = new IkeMessage[BATCH];
        /** The batch's formatted lines; set when the batch is first taken (the STOP marker has none). */
        ByteArrayOutputStream text;
        PacketLines lines;
        int size;
        /** Set by the formatter when {@link #text} holds every line of the batch. */
        boolean formatted;
        RuntimeException failure;
    }

    private final PacketLines.Format format;
    private final OutputStream out;
    private final byte[] probe;
    private final byte[] vantage;
    private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(IN_FLIGHT + 2);
    /** Batches handed to the formatters, oldest first; only the caller's thread touches it. */
    private final ArrayDeque<Batch> pending = new ArrayDeque<>();
    private final ArrayDeque<Batch> free = new ArrayDeque<>();
    private final Thread[] formatters;
    private Batch current;

    BackgroundLines(PacketLines.Format format, OutputStream out, byte[] probe, byte[] vantage) {
        this.format = format;
        this.out = out;
        this.probe = probe;
        this.vantage = vantage;
        this.formatters = new Thread[Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()))];
        for (int i = 0; i < formatters.length; i++) {
            formatters[i] = new Thread(this::format, "natshift-decode-format-" + i);
            formatters[i].setDaemon(true);
            formatters[i].start();
        }
        current = take();
    }

    void write(byte[] source, long frame, long timestampMicros, IkeMessage m) throws IOException {
        Batch b = current;
        b.sources[b.size] = source;
        b.frames[b.size] = frame;
        b.timestamps[b.size] = timestampMicros;
        b.messages[b.size] = m;
        if (++b.size == BATCH) {
            submit(b);
            current = take();
        }
    }

    /** Returns once everything written so far is formatted and flushed to the output. */
    void flush() throws IOException {
        if (current.size > 0) {
            submit(current);
            current = take();
        }
        while (!pending.isEmpty()) {
            writeOldest();
        }
        try {
            out.flush();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            for (int i = 0; i < formatters.length; i++) {
                queue.offer(STOP);
            }
        }
    }

    private Batch take() {
        Batch b = free.poll();
        if (b == null) {
            b = new Batch();
            b.text = new ByteArrayOutputStream(1 << 20);
            b.lines = PacketLines.of(format, b.text);
        }
        return b;
    }

    private void submit(Batch b) throws IOException {
        if (pending.size() >= IN_FLIGHT) {
            writeOldest();
        }
        pending.addLast(b);
        try {
            queue.put(b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing output");
        }
        // write whatever is ready without waiting, so the output keeps flowing
        while (!pending.isEmpty() && isFormatted(pending.peekFirst())) {
            writeOldest();
        }
    }

    private void writeOldest() throws IOException {
        Batch b = pending.pollFirst();
        synchronized (b) {
            while (!b.formatted) {
                try {
                    b.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while writing output");
                }
            }
        }
        if (b.failure != null) {
            throw b.failure;
        }
        try {
            b.text.writeTo(out);
        } catch (IOException e) {
            throw failed(e);
        }
        b.text.reset();
        java.util.Arrays.fill(b.messages, 0, b.size, null);
        b.size = 0;
        b.formatted = false;
        free.push(b);
    }

    private static boolean isFormatted(Batch b) {
        synchronized (b) {
            return b.formatted;
        }
    }

    /** Output failures are unchecked so that callers' read-error handling cannot mistake them for input errors. */
    static UncheckedIOException failed(IOException e) {
        return new UncheckedIOException("cannot write output: " + e.getMessage(), e);
    }

    private void format() {
        try {
            while (true) {
                Batch b = queue.take();
                if (b == STOP) {
                    return;
                }
                RuntimeException failure = null;
                try {
                    for (int i = 0; i < b.size; i++) {
                        b.lines.write(probe, b.sources[i], vantage, b.frames[i], b.timestamps[i], b.messages[i]);
                    }
                    b.lines.flush();
                } catch (IOException e) {
                    failure = failed(e);
                } catch (RuntimeException e) {
                    failure = e;
                } catch (Error e) {
                    // the caller waits for this batch: it must learn why it will not come
                    failure = new IllegalStateException("formatting failed: " + e, e);
                }
                synchronized (b) {
                    b.failure = failure;
                    b.formatted = true;
                    b.notifyAll();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
