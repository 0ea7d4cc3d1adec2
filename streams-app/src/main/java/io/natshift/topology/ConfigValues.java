package io.natshift.topology;

import java.util.Map;

/** Reads the topology's settings from a property map; a bad value is an error naming the key. */
public final class ConfigValues {
    private ConfigValues() {
    }

    public static String string(Map<?, ?> props, String key, String fallback) {
        Object v = props.get(key);
        return v == null ? fallback : v.toString().trim();
    }

    public static boolean bool(Map<?, ?> props, String key) {
        String v = string(props, key, "false");
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(key + " must be true or false, not '" + v + "'");
        }
        return v.equals("true");
    }

    /** A whole number in [min, max] that fits an int: checked before narrowing, so 2^32 + 5 is not read as 5. */
    public static int count(Map<?, ?> props, String key, int fallback, int min, int max) {
        long n = number(props, key, fallback, min);
        if (n > max) {
            throw new IllegalArgumentException(key + " must be at most " + max + ", not " + n);
        }
        return (int) n;
    }

    public static long number(Map<?, ?> props, String key, long fallback, long min) {
        Object v = props.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.toString().trim());
            if (n < min) {
                throw new IllegalArgumentException(key + (min == 0 ? " must not be negative" : " must be at least " + min) + ", not " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not '" + v + "'", e);
        }
    }
}
