package io.natshift.publish;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of a replay: a bar redrawn in place on a terminal (frames, IKE packets, records/s,
 * percent of bytes, ETA), a plain log line every few seconds otherwise. Reads only counters.
 */
public final class Progress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
    private static final int BAR_WIDTH = 24;

    private final IngestCounters counters;
    private final long totalBytes;
    private final PrintStream terminal;
    private final ScheduledExecutorService timer;
    private final long startNanos = System.nanoTime();
    private long lastNanos = startNanos;
    private long lastPublished;
    private double rate;

    /** @param terminal where to draw the bar, or null for log lines */
    public Progress(IngestCounters counters, long totalBytes, PrintStream terminal, Duration period) {
        this.counters = counters;
        this.totalBytes = totalBytes;
        this.terminal = terminal;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "natshift-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::report, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Terminal when stderr is a console (no redirection), else log lines. */
    public static Progress forConsole(IngestCounters counters, long totalBytes) {
        boolean tty = System.console() != null;
        return new Progress(counters, totalBytes, tty ? System.err : null, tty ? Duration.ofMillis(250) : Duration.ofSeconds(5));
    }

    private synchronized void report() {
        long now = System.nanoTime();
        long published = counters.published();
        double seconds = (now - lastNanos) / 1e9;
        if (seconds > 0) {
            double instant = (published - lastPublished) / seconds;
            rate = rate == 0 ? instant : 0.7 * rate + 0.3 * instant;
        }
        lastNanos = now;
        lastPublished = published;
        if (terminal != null) {
            terminal.print("\r" + line(now) + "\u001b[K");
            terminal.flush();
        } else {
            LOG.info("{}", line(now));
        }
    }

    String line(long now) {
        StringBuilder s = new StringBuilder();
        double fraction = totalBytes > 0 ? Math.min(1.0, (double) counters.bytesRead() / totalBytes) : -1;
        if (fraction >= 0 && terminal != null) {
            int filled = (int) Math.round(fraction * BAR_WIDTH);
            s.append('[').append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ");
        }
        if (fraction >= 0) {
            s.append(String.format("%5.1f%% ", fraction * 100));
        }
        s.append(String.format("frames %,d  IKE %,d  acked %,d  %,.0f rec/s", counters.frames(), counters.ikePackets(),
                counters.published(), rate));
        if (counters.rejectedTotal() > 0) {
            s.append(String.format("  rejected %,d", counters.rejectedTotal()));
        }
        if (fraction > 0.001 && fraction < 1) {
            double elapsed = (now - startNanos) / 1e9;
            long eta = Math.round(elapsed / fraction - elapsed);
            s.append(String.format("  ETA %d:%02d", eta / 60, eta % 60));
        }
        return s.toString();
    }

    @Override
    public synchronized void close() {
        timer.shutdownNow();
        if (terminal != null) {
            terminal.print("\r" + line(System.nanoTime()) + "\u001b[K\n");
            terminal.flush();
        }
    }
}
