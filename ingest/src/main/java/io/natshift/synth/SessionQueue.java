package io.natshift.synth;

import java.util.Arrays;

/**
 * The generator's agenda: sessions ordered by (time of next packet, subscriber index). A calendar
 * queue: sessions due within the current 1 ms slot sit in a small heap, those due within the next
 * ~67 s in per-slot buckets (appended in O(1)), later ones in an overflow heap. With thousands of
 * sessions a packet then costs a few comparisons instead of a sift through the whole heap.
 */
final class SessionQueue {
    static final int SLOT_SHIFT = 10;                 // 1,024 us per slot
    static final long SLOT = 1L << SLOT_SHIFT;
    static final int SLOTS = 1 << 16;                 // horizon of about 67 s

    private final SessionHeap now = new SessionHeap();
    private final SessionHeap far = new SessionHeap();
    private final Session[][] buckets = new Session[SLOTS][];
    private final int[] bucketSizes = new int[SLOTS];
    private long bucketed;
    private long base = Long.MIN_VALUE;

    /** Sessions waiting in the agenda. */
    long size() {
        return now.size() + bucketed + far.size();
    }

    long peekTime() {
        while (now.isEmpty()) {
            if (bucketed == 0 && far.isEmpty()) {
                return Session.NEVER;
            }
            advance();
        }
        return now.peekTime();
    }

    Session peek() {
        peekTime();
        return now.peek();
    }

    Session poll() {
        peekTime();
        return now.poll();
    }

    /** The head's next packet is now at {@code time}. */
    void requeueHead(long time) {
        Session s = now.peek();
        if (time < base + SLOT) {
            now.requeueHead(time);
        } else {
            now.poll();
            add(s, time);
        }
    }

    void add(Session s, long time) {
        if (base == Long.MIN_VALUE) {
            base = time & -SLOT;
        }
        s.queuedAt = time;
        if (time < base + SLOT) {
            now.add(s, time);
        } else if (time < base + SLOT * SLOTS) {
            int b = (int) ((time >>> SLOT_SHIFT) & (SLOTS - 1));
            Session[] bucket = buckets[b];
            int n = bucketSizes[b];
            if (bucket == null) {
                bucket = buckets[b] = new Session[4];
            } else if (n == bucket.length) {
                bucket = buckets[b] = Arrays.copyOf(bucket, n * 2);
            }
            bucket[n] = s;
            bucketSizes[b] = n + 1;
            bucketed++;
        } else {
            far.add(s, time);
        }
    }

    private void advance() {
        if (bucketed == 0) {
            base = far.peekTime() & -SLOT;     // nothing in the horizon: jump to the next far session
        } else {
            base += SLOT;
        }
        int b = (int) ((base >>> SLOT_SHIFT) & (SLOTS - 1));
        int n = bucketSizes[b];
        if (n > 0) {
            Session[] bucket = buckets[b];
            for (int i = 0; i < n; i++) {
                now.add(bucket[i], bucket[i].queuedAt);
                bucket[i] = null;
            }
            bucketSizes[b] = 0;
            bucketed -= n;
        }
        long limit = base + SLOT;
        while (!far.isEmpty() && far.peekTime() < limit) {
            long t = far.peekTime();
            now.add(far.poll(), t);
        }
        // Far sessions that came within the horizon move into their buckets.
        long horizon = base + SLOT * SLOTS;
        while (!far.isEmpty() && far.peekTime() < horizon) {
            long t = far.peekTime();
            add(far.poll(), t);
        }
    }
}
