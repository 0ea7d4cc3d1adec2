package io.natshift.topology;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * In-memory index from deadline bucket to initiator SPIs, so the stream-time scan reads only the
 * SAs that may have expired instead of the whole store. Entries may be stale (the SA moved on);
 * the scan re-checks each against its stored state. Rebuilt from the store when a task starts.
 */
final class DeadlineWheel {
    private final long bucketMillis;
    private final TreeMap<Long, long[]> buckets = new TreeMap<>();
    private final Map<Long, Integer> sizes = new java.util.HashMap<>();
    private long polled;

    DeadlineWheel(long bucketMillis) {
        this.bucketMillis = bucketMillis;
    }

    long bucket(long deadline) {
        return Math.floorDiv(deadline, bucketMillis);
    }

    /** The earliest deadline this bucket can hold. */
    long start(long bucket) {
        return bucket * bucketMillis;
    }

    void add(long bucket, long spi) {
        long[] items = buckets.get(bucket);
        int size = sizes.getOrDefault(bucket, 0);
        if (items == null) {
            items = new long[4];
        } else if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size] = spi;
        buckets.put(bucket, items);
        sizes.put(bucket, size + 1);
    }

    /**
     * Removes and returns the SPIs of the earliest bucket if some of its deadlines may have passed at
     * {@code time}, else null. The caller re-adds those not yet due.
     */
    long[] pollDue(long time) {
        Map.Entry<Long, long[]> first = buckets.firstEntry();
        if (first == null || start(first.getKey()) > time) {
            return null;
        }
        polled = first.getKey();
        buckets.remove(first.getKey());
        int size = sizes.remove(first.getKey());
        return Arrays.copyOf(first.getValue(), size);
    }

    /** The bucket the last {@link #pollDue} returned. */
    long polled() {
        return polled;
    }

    void clear() {
        buckets.clear();
        sizes.clear();
    }
}
