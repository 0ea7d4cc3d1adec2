package io.natshift.analyze;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Wall time per phase of a run (broker start, replay, processing, report), for the progress line and the benchmark. */
public final class PhaseTimes {
    private final Map<String, Long> nanos = new LinkedHashMap<>();
    private final long start = System.nanoTime();
    private long mark = start;
    private String current;

    /** Ends the running phase (if any) and starts {@code phase}. */
    public synchronized void begin(String phase) {
        end();
        current = phase;
    }

    public synchronized void end() {
        long now = System.nanoTime();
        if (current != null) {
            nanos.merge(current, now - mark, Long::sum);
        }
        current = null;
        mark = now;
    }

    public synchronized Map<String, Long> millis() {
        Map<String, Long> m = new LinkedHashMap<>();
        nanos.forEach((k, v) -> m.put(k, v / 1_000_000));
        return m;
    }

    public synchronized long totalMillis() {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** "broker 2.1 s (10%), replay ..., total 20.3 s". */
    public synchronized String line() {
        double total = Math.max(1, totalMillis());
        return nanos.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.1f s (%.0f%%)", e.getKey(), e.getValue() / 1e9, e.getValue() / 1e6 / total * 100))
                .collect(Collectors.joining(", ")) + String.format(Locale.ROOT, ", total %.1f s", total / 1000);
    }
}
