package io.natshift.topology;

import java.util.function.BiConsumer;

/**
 * SA states pushed out of sa-state's object map, kept encoded on the heap (SaStateSerde: entries with
 * only {@code encoded}, the decoded state dropped) until a byte budget is spent; the least recently
 * used then go on to RocksDB. An encoded state takes about a
 * fifth of the heap of its objects (217 against some 1,100 bytes in the synth benchmark), so the
 * same memory holds several times the SAs. Behind a full map every state that left it paid a
 * RocksDB put and later a get: in a capture with 116,000 live SAs and a 50,000-object map those were
 * a fifth of the stream thread's time (docs/perf-topology.md, session 9).
 */
final class PackedStates {
    /** Heap an entry takes besides its encoded bytes: the array's header (16) and the entry (32). */
    static final int ENTRY_OVERHEAD = 48;
    /** A small encoded state: sizes the table so that the budget, not the table, limits the entries. */
    private static final int SMALL_ENTRY = 128;

    private final SpiTable<SaStateStore.Entry> table;
    /** What the entries may take: the budget less the table's own arrays. */
    private final long budget;
    private long used;

    /** {@code onEvict} sees each entry pushed out to stay within {@code budgetBytes}. */
    PackedStates(long budgetBytes, BiConsumer<Long, SaStateStore.Entry> onEvict) {
        int capacity = (int) Math.max(1, Math.min(SpiTable.MAX_CAPACITY, budgetBytes / SMALL_ENTRY));
        this.table = new SpiTable<>(capacity, (spi, p) -> {
            used -= cost(p);
            onEvict.accept(spi, p);
        });
        this.budget = budgetBytes - table.footprint();
    }

    static long cost(SaStateStore.Entry e) {
        return e.encoded.length + ENTRY_OVERHEAD;
    }

    SaStateStore.Entry get(long spi) {
        return table.get(spi);
    }

    SaStateStore.Entry remove(long spi) {
        SaStateStore.Entry p = table.remove(spi);
        if (p != null) {
            used -= cost(p);
        }
        return p;
    }

    /** Adds (or replaces) an entry, then pushes out the least recently used until within the budget. */
    void put(long spi, SaStateStore.Entry p) {
        remove(spi);
        table.put(spi, p);
        used += cost(p);
        while (used > budget && table.evictOne()) {
            // evictOne's callback lowers used
        }
    }

    void forEach(SpiTable.Visitor<SaStateStore.Entry> visitor) {
        table.forEach(visitor);
    }

    void clear() {
        table.clear();
        used = 0;
    }

    int size() {
        return table.size();
    }

    /** Heap held: the entries and the table. */
    long bytes() {
        return used + table.footprint();
    }
}
