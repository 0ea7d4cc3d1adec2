package io.natshift.topology;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorContextUtils;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * sa-state: decoded SaState objects in front of the store's changelog and its RocksDB copy.
 *
 * <p>It replaces Kafka Streams' record cache for this store. That cache keeps serialized bytes, so
 * every packet paid an SaState encode plus the cache's sorted-map and dirty-set bookkeeping on byte
 * keys (a fifth of the stream thread in the topology benchmark's profile). Here a put only marks the
 * object dirty; dirty objects are encoded and sent to the changelog when Kafka Streams flushes caches
 * before it commits (flushCache, the hook its own caching layer uses, so exactly-once sees the same
 * changelog as with that cache), or earlier when a dirty entry has to leave the heap. Each dirty
 * entry keeps the record context of its last put, so its changelog record has the timestamp it would
 * have had. A task that closes without committing drops what is dirty, as the record cache does, and
 * restores from the changelog.
 *
 * <p>The object map holds a fixed number of states (SpiTable: CLOCK, an approximation of least
 * recently used). Those it pushes out stay on the heap encoded ({@link PackedStates}, within a byte
 * budget, about a fifth of the memory per state), dirty or not: a dirty one goes to the changelog at
 * the next flush as if it had stayed in the map, and is decoded back into the map when read. Only
 * what leaves that budget goes on to RocksDB, and to the changelog then if still dirty. With no
 * budget the object map pushes out to RocksDB directly. Below, "the map" is both.
 *
 * <p>The RocksDB copy is written only when it is read without this map: when an entry leaves the
 * map (eviction), before an iterator, and before Kafka Streams records changelog offsets in the store
 * ({@link #commit}: at a checkpoint, which under exactly-once is a clean close or a revocation, and
 * after every commit under at-least-once). Between those the changelog is ahead of RocksDB for the
 * entries in the map ("stale"), which only this map reads. An SA created and removed while in the
 * map never touches RocksDB: the puts and deletes of every commit were a quarter of the stream
 * thread, RocksDB's memtable skip list for the most part. Restoration writes RocksDB directly, as for
 * any logged store. The changelog records are those the logged store wrote.
 *
 * <p>Extends Kafka Streams' {@code WrappedStateStore} and logs through its internal processor context
 * (internal classes: the Kafka version is pinned in the parent pom) because the state manager flushes
 * only stores it knows as caches, and the changelog must be written without the RocksDB write.
 */
final class SaStateStore extends WrappedStateStore<KeyValueStore<Long, SaState>, Long, SaState>
        implements KeyValueStore<Long, SaState> {

    /** One SA's state on the heap: decoded in the object map, only {@link #encoded} in the packed states. */
    static final class Entry {
        /** Null while packed. */
        SaState state;
        /** Record context of the last put not yet in the changelog, else null. */
        ProcessorRecordContext dirty;
        /** In the changelog but not in RocksDB. */
        boolean stale;
        /** RocksDB may hold a value for this SPI: a delete must reach it. */
        boolean stored;
        /**
         * The state encoded: set while packed, and kept once read back into the map until the next put,
         * so that it leaves again without an encode. SaTracker puts every state it changes.
         */
        byte[] encoded;

        Entry(SaState state, ProcessorRecordContext dirty, boolean stored) {
            this.state = state;
            this.dirty = dirty;
            this.stored = stored;
        }
    }

    private static final Serde<SaState> SERDE = new SaStateSerde();

    /** Null when natshift.state.object.cache is 0: every call goes straight to RocksDB and the changelog. */
    private final SpiTable<Entry> objects;
    /** Null without a budget (natshift.state.packed.bytes 0) or without the object map. */
    private final PackedStates packed;
    /** The RocksDB store under the metered layer, for states already encoded. */
    private KeyValueStore<Bytes, byte[]> raw;
    private final boolean logging;
    /** SPIs whose entry may be dirty, in first-dirtied order; flushCache writes them. */
    private long[] dirtyKeys = new long[1024];
    private int dirtyCount;
    /** The SPI of the last get that RocksDB did not know, until the next put: a new SA is not in RocksDB. */
    private long missedKey;
    private boolean missed;
    /**
     * RocksDB holds no SA that is not in the map, so a miss in the map is a miss: checked once the
     * task processes (after restoration), true when RocksDB was empty then, false from the first
     * eviction on. Spares the RocksDB read for the first packet of every new SA while the task's SAs
     * fit in the map.
     */
    private boolean mapHoldsAll;
    private boolean mapHoldsAllChecked;
    private InternalProcessorContext<?, ?> context;
    private long evictedDirty;
    private long localWrites;
    private long localReads;

    /**
     * {@code local}: the store over RocksDB without a changelog layer; {@code capacity} objects, then
     * {@code packedBytes} of encoded states, on the heap; {@code logging}: this store writes the changelog.
     */
    SaStateStore(KeyValueStore<Long, SaState> local, int capacity, long packedBytes, boolean logging) {
        super(local);
        this.logging = logging;
        this.packed = capacity == 0 || packedBytes == 0 ? null : new PackedStates(packedBytes, this::leaveHeap);
        this.objects = capacity == 0 ? null : new SpiTable<>(capacity, (spi, e) -> {
            if (packed != null) {
                e.encoded = encoded(e);
                e.state = null;   // the objects go, the bytes stay
                packed.put(spi, e);
            } else {
                leaveHeap(spi, e);
            }
        });
    }

    private static byte[] encoded(Entry e) {
        return e.encoded != null ? e.encoded : SaStateSerde.encode(e.state);
    }

    /** A state leaves the heap: to the changelog if dirty, to RocksDB if RocksDB is behind. */
    private void leaveHeap(long spi, Entry e) {
        mapHoldsAll = false;
        mapHoldsAllChecked = true;
        if (e.dirty == null && !e.stale) {
            return;
        }
        byte[] bytes = encoded(e);
        if (e.dirty != null) {
            evictedDirty++;
            log(spi, bytes, e.dirty);
        }
        storeEncoded(spi, bytes, e.dirty);
    }

    /**
     * The builder behind {@link NatshiftTopology}: a persistent store without record cache or changelog
     * layer, this in front. The changelog is declared here (so Kafka Streams creates it and restores
     * from it) and written by this store.
     */
    static StoreBuilder<SaStateStore> builder(String name, int capacity, long packedBytes, Map<String, String> changelogConfig) {
        StoreBuilder<KeyValueStore<Long, SaState>> local = Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(name), Serdes.Long(), SERDE)
                .withCachingDisabled()
                .withLoggingDisabled();
        return new StoreBuilder<>() {
            private boolean logging = true;
            private Map<String, String> logConfig = new HashMap<>(changelogConfig);

            @Override
            public StoreBuilder<SaStateStore> withCachingEnabled() {
                return this;   // this store is the cache
            }

            @Override
            public StoreBuilder<SaStateStore> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<SaStateStore> withLoggingEnabled(Map<String, String> config) {
                logging = true;
                logConfig = new HashMap<>(config);
                return this;
            }

            @Override
            public StoreBuilder<SaStateStore> withLoggingDisabled() {
                logging = false;
                logConfig.clear();
                return this;
            }

            @Override
            public SaStateStore build() {
                return new SaStateStore(local.build(), capacity, packedBytes, logging);
            }

            @Override
            public Map<String, String> logConfig() {
                return logConfig;
            }

            @Override
            public boolean loggingEnabled() {
                return logging;
            }

            @Override
            public String name() {
                return local.name();
            }
        };
    }

    @Override
    public synchronized void init(StateStoreContext stateStoreContext, StateStore root) {
        context = ProcessorContextUtils.asInternalProcessorContext(stateStoreContext);
        forget();
        super.init(stateStoreContext, root);
    }

    @Override
    public synchronized SaState get(Long key) {
        Entry e = objects == null ? null : objects.get(key);
        if (e != null) {
            return e.state;
        }
        e = packed == null ? null : packed.remove(key);
        if (e != null) {
            e.state = SaStateSerde.decode(e.encoded);
            objects.put(key, e);   // may push another entry out to the packed states
            return e.state;
        }
        SaState s = null;
        if (objects == null || !mapHoldsAll()) {
            s = wrapped().get(key);
            localReads++;
        }
        if (s == null) {
            missed = true;
            missedKey = key;
        } else if (objects != null) {
            objects.put(key, new Entry(s, null, true));
        }
        return s;
    }

    @Override
    public synchronized void put(Long key, SaState value) {
        if (value == null) {
            delete(key);
            return;
        }
        boolean absent = missed && missedKey == key;
        missed = false;
        if (objects == null) {
            log(key, SaStateSerde.encode(value), context.recordContext());
            wrapped().put(key, value);
            return;
        }
        Entry e = objects.get(key);
        if (e != null && e.state == value) {
            if (e.dirty == null) {
                markDirty(key);
            }
            e.dirty = context.recordContext();
            e.encoded = null;
        } else {
            Entry p = e == null && packed != null ? packed.remove(key) : null;
            boolean stored = e != null ? e.stored : p != null ? p.stored : !absent;
            // a new entry may evict (and write) another dirty one to make room
            objects.put(key, new Entry(value, context.recordContext(), stored));
            markDirty(key);
        }
    }

    private boolean mapHoldsAll() {
        if (!mapHoldsAllChecked) {
            mapHoldsAllChecked = true;
            try (KeyValueIterator<Long, SaState> stored = wrapped().all()) {
                mapHoldsAll = !stored.hasNext();
            }
        }
        return mapHoldsAll;
    }

    private void markDirty(long spi) {
        if (dirtyCount == dirtyKeys.length) {
            dirtyKeys = Arrays.copyOf(dirtyKeys, dirtyCount * 2);
        }
        dirtyKeys[dirtyCount++] = spi;
    }

    private void forget() {
        if (objects != null) {
            objects.clear();
        }
        if (packed != null) {
            packed.clear();
        }
        dirtyCount = 0;
        missed = false;
        mapHoldsAllChecked = false;
        if (dirtyKeys.length > 1024) {
            dirtyKeys = new long[1024];   // one burst of puts must not pin its buffer
        }
    }

    @Override
    public synchronized SaState putIfAbsent(Long key, SaState value) {
        SaState old = get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override
    public synchronized void putAll(List<KeyValue<Long, SaState>> entries) {
        for (KeyValue<Long, SaState> kv : entries) {
            put(kv.key, kv.value);
        }
    }

    @Override
    public synchronized SaState delete(Long key) {
        missed = false;
        Entry e = objects == null ? null : objects.remove(key);
        if (e == null && packed != null) {
            e = packed.remove(key);
        }
        log(key, null, context.recordContext());
        if (e == null) {
            return wrapped().delete(key);
        }
        if (e.stored) {
            wrapped().put(key, null);   // a delete without the read that returns the old value
            localWrites++;
        }
        return e.state != null ? e.state : SaStateSerde.decode(e.encoded);
    }

    /** Sends every dirty object to the changelog: Kafka Streams calls this before each commit. */
    @Override
    public synchronized void flushCache() {
        writeDirty();
        super.flushCache();
    }

    private void writeDirty() {
        for (int i = 0; i < dirtyCount; i++) {
            long spi = dirtyKeys[i];
            Entry e = objects.get(spi);
            if (e == null && packed != null) {
                e = packed.get(spi);
            }
            if (e != null && e.dirty != null) {
                log(spi, encoded(e), e.dirty);
                e.dirty = null;
                e.stale = true;
            }
        }
        dirtyCount = 0;
    }

    /** Brings RocksDB up to the changelog, before Kafka Streams records the changelog offset in it. */
    @Override
    public synchronized void commit(Map<TopicPartition, Long> changelogOffsets) {
        writeStale();
        super.commit(changelogOffsets);
    }

    private void writeStale() {
        if (objects == null) {
            return;
        }
        SpiTable.Visitor<Entry> store = (spi, e) -> {
            if (e.stale) {
                storeEncoded(spi, encoded(e), null);
                e.stale = false;
                e.stored = true;
            }
        };
        objects.forEach(store);
        if (packed != null) {
            packed.forEach(store);
        }
    }

    /** One changelog record (null state: a tombstone) under the given record context, as the record cache sends it. */
    private void log(long key, byte[] value, ProcessorRecordContext recordContext) {
        if (!logging) {
            return;
        }
        inContext(recordContext, () -> context.logChange(name(), keyBytes(key), value,
                recordContext.timestamp(), new RecordHeaders(), wrapped().getPosition()));
    }

    /**
     * RocksDB only, under the record context of the change when it is known (its position): the
     * encoded state straight into the store under the metered layer.
     */
    private void storeEncoded(long key, byte[] bytes, ProcessorRecordContext recordContext) {
        inContext(recordContext, () -> raw().put(keyBytes(key), bytes));
        localWrites++;
    }

    /** The store's key as the Long serde writes it (8 bytes, big-endian), as in the changelog. */
    private static Bytes keyBytes(long key) {
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(key).array());
    }

    @SuppressWarnings("unchecked")
    private KeyValueStore<Bytes, byte[]> raw() {
        if (raw == null) {
            StateStore s = wrapped();
            while (s instanceof WrappedStateStore<?, ?, ?> w) {
                s = w.wrapped();
            }
            raw = (KeyValueStore<Bytes, byte[]>) s;
        }
        return raw;
    }

    /** Runs {@code write} under {@code recordContext} (null: the current one), then restores the current one. */
    private void inContext(ProcessorRecordContext recordContext, Runnable write) {
        ProcessorRecordContext current = context.recordContext();
        if (recordContext != null) {
            context.setRecordContext(recordContext);
        }
        try {
            write.run();
        } finally {
            context.setRecordContext(current);
        }
    }

    /** Forgets unwritten changes: Kafka Streams calls this when it closes a task without committing. */
    @Override
    public synchronized void clearCache() {
        forget();
        super.clearCache();
    }

    @Override
    public synchronized KeyValueIterator<Long, SaState> range(Long from, Long to) {
        writeDirty();   // iterators read RocksDB: bring it up to date first
        writeStale();
        return wrapped().range(from, to);
    }

    @Override
    public synchronized KeyValueIterator<Long, SaState> all() {
        writeDirty();
        writeStale();
        return wrapped().all();
    }

    @Override
    public synchronized long approximateNumEntries() {
        return wrapped().approximateNumEntries();
    }

    @Override
    public synchronized void close() {
        forget();
        super.close();
    }

    /** Dirty entries written early because the map was full (tests, and the capacity's docs). */
    synchronized long evictedDirty() {
        return evictedDirty;
    }

    /** RocksDB puts and deletes made by this store (tests). */
    synchronized long localWrites() {
        return localWrites;
    }

    /** Point reads that went to RocksDB (tests). */
    synchronized long localReads() {
        return localReads;
    }

    synchronized int cachedObjects() {
        return objects == null ? 0 : objects.size();
    }

    /** The encoded state packed for this SPI, null if it is not packed (tests). */
    synchronized byte[] packedBytes(long spi) {
        Entry e = packed == null ? null : packed.get(spi);
        return e == null ? null : e.encoded;
    }

    /** Encoded states held behind the object map (tests). */
    synchronized int packedStates() {
        return packed == null ? 0 : packed.size();
    }
}
