package io.natshift.topology;

import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * Objects by initiator SPI in an open-addressing table (linear probing, at most half full) that
 * holds at most {@code capacity} entries and evicts with CLOCK (second chance): an entry used since
 * the hand last passed it is spared once. A LinkedHashMap in access order cost a tenth of the stream
 * thread here: a boxed key and a node per entry, and every get relinking two neighbours, all cache
 * misses on a table of tens of thousands of SAs. Its arrays start small and double as entries come,
 * up to what the capacity needs: a task that sees a few SAs (a test, a small capture) does not
 * allocate for 50,000. Single-threaded, like the task that owns it.
 */
final class SpiTable<V> {
    private static final int FIRST_SLOTS = 1024;
    /** Entries one table can hold: its arrays, at most half full, are indexed by int. */
    static final int MAX_CAPACITY = 1 << 28;

    private final int capacity;
    private final int maxSlots;
    private int mask;
    private long[] keys;
    private Object[] values;
    /** Used since the clock hand last passed; an empty slot has a null value. */
    private boolean[] referenced;
    private final BiConsumer<Long, V> onEvict;
    private int size;
    private int hand;

    /** {@code onEvict} sees each entry pushed out to make room (not removed or cleared ones). */
    SpiTable(int capacity, BiConsumer<Long, V> onEvict) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be 1 to " + MAX_CAPACITY + ": " + capacity);
        }
        this.capacity = capacity;
        this.maxSlots = slotsFor(capacity);
        this.onEvict = onEvict;
        allocate(Math.min(FIRST_SLOTS, maxSlots));
    }

    /** A power of two at least twice the entries: at most half full. */
    static int slotsFor(int entries) {
        return Integer.highestOneBit(Math.max(2, entries) * 2 - 1) * 2;
    }

    private void allocate(int slots) {
        mask = slots - 1;
        keys = new long[slots];
        values = new Object[slots];
        referenced = new boolean[slots];
    }

    /** Doubles the arrays and re-inserts every entry, keeping its reference bit. */
    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        boolean[] oldReferenced = referenced;
        allocate(keys.length * 2);
        for (int i = 0; i < oldValues.length; i++) {
            if (oldValues[i] != null) {
                int j = -find(oldKeys[i]) - 1;
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
                referenced[j] = oldReferenced[i];
            }
        }
        hand = 0;
    }

    private int home(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    /** Slot of the key, or -(empty slot where it would go) - 1. */
    private int find(long key) {
        int i = home(key);
        while (values[i] != null) {
            if (keys[i] == key) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -i - 1;
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        int i = find(key);
        if (i < 0) {
            return null;
        }
        referenced[i] = true;
        return (V) values[i];
    }

    void put(long key, V value) {
        if (value == null) {
            throw new NullPointerException("null value for SPI " + key);
        }
        int i = find(key);
        if (i >= 0) {
            values[i] = value;
            referenced[i] = true;
            return;
        }
        if (size == capacity) {
            evictOne();
            i = find(key);   // eviction may have shifted the probe sequence
        } else if ((size + 1) * 2 > keys.length && keys.length < maxSlots) {
            grow();
            i = find(key);
        }
        i = -i - 1;
        keys[i] = key;
        values[i] = value;
        referenced[i] = true;
        size++;
    }

    @SuppressWarnings("unchecked")
    V remove(long key) {
        int i = find(key);
        if (i < 0) {
            return null;
        }
        V old = (V) values[i];
        delete(i);
        return old;
    }

    int size() {
        return size;
    }

    /** Heap of the table's arrays at their largest (a key, a reference and a flag per slot), without the values. */
    long footprint() {
        return (long) maxSlots * (Long.BYTES + Integer.BYTES + 1);
    }

    interface Visitor<V> {
        void visit(long key, V value);
    }

    /** Visits every entry; the visitor must not add or remove entries. */
    @SuppressWarnings("unchecked")
    void forEach(Visitor<V> visitor) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                visitor.visit(keys[i], (V) values[i]);
            }
        }
    }

    /** Empties the table and gives back grown arrays. */
    void clear() {
        if (keys.length > FIRST_SLOTS) {
            allocate(Math.min(FIRST_SLOTS, maxSlots));
        } else {
            Arrays.fill(values, null);
            Arrays.fill(referenced, false);
        }
        size = 0;
        hand = 0;
    }

    /** Slots allocated now (tests). */
    int slots() {
        return keys.length;
    }

    /** Pushes out one entry (to {@code onEvict}), as a put into a full table does; false when empty. */
    @SuppressWarnings("unchecked")
    boolean evictOne() {
        if (size == 0) {
            return false;
        }
        while (true) {
            int i = hand;
            hand = (hand + 1) & mask;
            if (values[i] == null) {
                continue;
            }
            if (referenced[i]) {
                referenced[i] = false;
                continue;
            }
            long key = keys[i];
            V value = (V) values[i];
            delete(i);
            onEvict.accept(key, value);
            return true;
        }
    }

    /** Backward-shift deletion: later entries of the probe run move up so no lookup meets a hole. */
    private void delete(int slot) {
        int free = slot;
        int j = slot;
        while (true) {
            j = (j + 1) & mask;
            if (values[j] == null) {
                break;
            }
            int h = home(keys[j]);
            // the entry at j may fill the hole only if its home is not cyclically within (free, j]
            boolean stays = free <= j ? (free < h && h <= j) : (free < h || h <= j);
            if (stays) {
                continue;
            }
            keys[free] = keys[j];
            values[free] = values[j];
            referenced[free] = referenced[j];
            free = j;
        }
        values[free] = null;
        referenced[free] = false;
        size--;
    }
}
