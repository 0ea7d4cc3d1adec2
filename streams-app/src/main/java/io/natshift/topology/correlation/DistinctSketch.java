package io.natshift.topology.correlation;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Distinct count in bounded memory (K minimum values): keeps the K smallest 64-bit hashes seen.
 * Exact while fewer than K distinct values were added, then an estimate with about 3% error.
 */
final class DistinctSketch {
    static final int K = 1024;

    long[] hashes = new long[0];   // sorted (signed order)

    void add(String value) {
        addHash(hash(value));
    }

    void addHash(long h) {
        int i = Arrays.binarySearch(hashes, h);
        if (i >= 0) {
            return;
        }
        int at = -i - 1;
        if (hashes.length == K && at == K) {
            return;   // larger than every kept hash
        }
        long[] next = new long[Math.min(K, hashes.length + 1)];
        System.arraycopy(hashes, 0, next, 0, at);
        next[at] = h;
        System.arraycopy(hashes, at, next, at + 1, next.length - at - 1);
        hashes = next;
    }

    /** Keeps the K smallest of both: the sketch of every value added to either. */
    void merge(DistinctSketch other) {
        long[] a = hashes;
        long[] b = other.hashes;
        long[] out = new long[Math.min(K, a.length + b.length)];
        int i = 0;
        int j = 0;
        int n = 0;
        while (n < out.length && (i < a.length || j < b.length)) {
            long next;
            if (j == b.length || (i < a.length && a[i] <= b[j])) {
                next = a[i++];
                if (j < b.length && b[j] == next) {
                    j++;
                }
            } else {
                next = b[j++];
            }
            out[n++] = next;
        }
        hashes = n == out.length ? out : Arrays.copyOf(out, n);
    }

    long estimate() {
        if (hashes.length < K) {
            return hashes.length;
        }
        // a signed hash h sits at (h + 2^63) / 2^64 of the hash range
        double fraction = hashes[K - 1] / 1.8446744073709552E19 + 0.5;
        return Math.round((K - 1) / fraction);
    }

    /** FNV-1a finished with splitmix64, so hashes spread uniformly over the 64-bit range. */
    static long hash(String value) {
        long h = 0xcbf29ce484222325L;
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return h;
    }
}
