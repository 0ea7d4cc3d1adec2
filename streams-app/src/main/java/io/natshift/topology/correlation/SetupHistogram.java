package io.natshift.topology.correlation;

/**
 * Setup times in a fixed histogram (bounded, mergeable): bucket i holds times up to
 * 10 ms * 2^(i/4), about 19% wide; the last bucket takes everything longer (~ 2.4 h).
 * Quantiles are reported as the upper bound of their bucket.
 */
final class SetupHistogram {
    static final int BUCKETS = 80;

    long[] counts = new long[BUCKETS];

    static long upperBound(int bucket) {
        return (long) Math.ceil(10 * Math.pow(2, bucket / 4.0));
    }

    static int bucketOf(long millis) {
        for (int i = 0; i < BUCKETS - 1; i++) {
            if (millis <= upperBound(i)) {
                return i;
            }
        }
        return BUCKETS - 1;
    }

    void add(long millis) {
        counts[bucketOf(millis)]++;
    }

    /** The q-quantile (0 < q <= 1) as a bucket upper bound; null when empty. */
    Long quantile(double q) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return null;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return upperBound(i);
            }
        }
        return upperBound(BUCKETS - 1);
    }
}
