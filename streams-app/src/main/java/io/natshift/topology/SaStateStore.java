package io.natshift.topology;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.serialization.Serdes;
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
 * sa-state: decoded SaState objects in front of the logged RocksDB store, written behind.
 *
 * <p>It replaces Kafka Streams' record cache for this store. That cache keeps serialized bytes, so
 * every packet paid an SaState encode plus the cache's sorted-map and dirty-set bookkeeping on byte
 * keys (a fifth of the stream thread in the topology benchmark's profile). Here a put only marks the
 * object dirty; dirty objects are encoded and written (RocksDB + changelog) when Kafka Streams flushes
 * caches before it commits (flushCache, the hook its own caching layer uses, so exactly-once sees the
 * same changelog as with that cache), or when the map is full and a dirty entry is evicted to make
 * room (SpiTable: CLOCK, an approximation of least recently used). Each dirty entry keeps the record
 * context of its last put, so its changelog record has the timestamp it would have had. A task that
 * closes without committing drops what is dirty, as the record cache does, and restores from the
 * changelog.
 *
 * <p>Extends Kafka Streams' {@code WrappedStateStore} (an internal class: the Kafka version is pinned
 * in the parent pom) because the state manager flushes only stores it knows as caches.
 */
final class SaStateStore extends WrappedStateStore<KeyValueStore<Long, SaState>, Long, SaState>
        implements KeyValueStore<Long, SaState> {

    private static final class Entry {
        final SaState state;
        /** Record context of the last put, null when the stored copy is current. */
        ProcessorRecordContext dirty;

        Entry(SaState state, ProcessorRecordContext dirty) {
            this.state = state;
            this.dirty = dirty;
        }
    }

    /** Null when natshift.state.object.cache is 0: every call goes straight to the logged store. */
    private final SpiTable<Entry> objects;
    /** SPIs whose entry may be dirty, in first-dirtied order; flushCache writes them. */
    private long[] dirtyKeys = new long[1024];
    private int dirtyCount;
    private InternalProcessorContext<?, ?> context;
    private long evictedDirty;

    SaStateStore(KeyValueStore<Long, SaState> logged, int capacity) {
        super(logged);
        this.objects = capacity == 0 ? null : new SpiTable<>(capacity, (spi, e) -> {
            if (e.dirty != null) {
                evictedDirty++;
                write(spi, e);
            }
        });
    }

    /** The builder behind {@link NatshiftTopology}: logged persistent store, no record cache, this in front. */
    static StoreBuilder<SaStateStore> builder(String name, int capacity, Map<String, String> changelogConfig) {
        StoreBuilder<KeyValueStore<Long, SaState>> logged = Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(name), Serdes.Long(), new SaStateSerde())
                .withCachingDisabled()
                .withLoggingEnabled(changelogConfig);
        return new StoreBuilder<>() {
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
                logged.withLoggingEnabled(config);
                return this;
            }

            @Override
            public StoreBuilder<SaStateStore> withLoggingDisabled() {
                logged.withLoggingDisabled();
                return this;
            }

            @Override
            public SaStateStore build() {
                return new SaStateStore(logged.build(), capacity);
            }

            @Override
            public Map<String, String> logConfig() {
                return logged.logConfig();
            }

            @Override
            public boolean loggingEnabled() {
                return logged.loggingEnabled();
            }

            @Override
            public String name() {
                return logged.name();
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
        if (objects == null) {
            return wrapped().get(key);
        }
        Entry e = objects.get(key);
        if (e != null) {
            return e.state;
        }
        SaState s = wrapped().get(key);
        if (s != null) {
            objects.put(key, new Entry(s, null));
        }
        return s;
    }

    @Override
    public synchronized void put(Long key, SaState value) {
        if (value == null) {
            delete(key);
            return;
        }
        if (objects == null) {
            wrapped().put(key, value);
            return;
        }
        Entry e = objects.get(key);
        if (e != null && e.state == value) {
            if (e.dirty == null) {
                markDirty(key);
            }
            e.dirty = context.recordContext();
        } else {
            // a new entry may evict (and write) another dirty one to make room
            objects.put(key, new Entry(value, context.recordContext()));
            markDirty(key);
        }
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
        dirtyCount = 0;
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
        Entry e = objects == null ? null : objects.remove(key);
        SaState old = wrapped().delete(key);
        return e != null ? e.state : old;
    }

    /** Writes every dirty object to the logged store: Kafka Streams calls this before each commit. */
    @Override
    public synchronized void flushCache() {
        writeDirty();
        super.flushCache();
    }

    private void writeDirty() {
        for (int i = 0; i < dirtyCount; i++) {
            long spi = dirtyKeys[i];
            Entry e = objects.get(spi);
            if (e != null && e.dirty != null) {
                write(spi, e);
            }
        }
        dirtyCount = 0;
    }

    /** One changelog record under the record context of the entry's last put, as the record cache does. */
    private void write(Long key, Entry e) {
        ProcessorRecordContext current = context.recordContext();
        context.setRecordContext(e.dirty);
        try {
            wrapped().put(key, e.state);
        } finally {
            context.setRecordContext(current);
        }
        e.dirty = null;
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
        return wrapped().range(from, to);
    }

    @Override
    public synchronized KeyValueIterator<Long, SaState> all() {
        writeDirty();
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

    synchronized int cachedObjects() {
        return objects == null ? 0 : objects.size();
    }
}
