package io.natshift.synth;

import java.util.Arrays;

/**
 * Binary min-heap of sessions keyed by (time of next packet, subscriber index), with the keys in
 * primitive arrays so sifting touches no session objects (the generator's hottest loop).
 */
final class SessionHeap {
    private long[] times = new long[64];
    private int[] ids = new int[64];
    private Session[] sessions = new Session[64];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    long peekTime() {
        return size == 0 ? Session.NEVER : times[0];
    }

    void add(Session s, long time) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            ids = Arrays.copyOf(ids, size * 2);
            sessions = Arrays.copyOf(sessions, size * 2);
        }
        int id = s.subscriber.index;
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(time, id, times[parent], ids[parent])) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, time, id, s);
    }

    Session peek() {
        return sessions[0];
    }

    /** The head's next packet is now at {@code time}: one sift down instead of a poll and an add. */
    void requeueHead(long time) {
        siftDown(time, ids[0], sessions[0], size);
    }

    Session poll() {
        Session top = sessions[0];
        int last = --size;
        Session s = sessions[last];
        sessions[last] = null;
        if (last > 0) {
            siftDown(times[last], ids[last], s, last);
        }
        return top;
    }

    private void siftDown(long time, int id, Session s, int n) {
        int i = 0;
        int half = n >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < n && less(times[right], ids[right], times[child], ids[child])) {
                child = right;
            }
            if (!less(times[child], ids[child], time, id)) {
                break;
            }
            move(child, i);
            i = child;
        }
        set(i, time, id, s);
    }

    private static boolean less(long t1, int id1, long t2, int id2) {
        return t1 < t2 || (t1 == t2 && id1 < id2);
    }

    private void move(int from, int to) {
        times[to] = times[from];
        ids[to] = ids[from];
        sessions[to] = sessions[from];
    }

    private void set(int i, long time, int id, Session s) {
        times[i] = time;
        ids[i] = id;
        sessions[i] = s;
    }
}
