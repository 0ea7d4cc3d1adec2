package io.natshift.topology.correlation;

import java.util.Map;

import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A state store that holds nothing: it lets its processor run code when Kafka Streams flushes caches
 * before every commit, which the Processor API has no hook for. {@link Partials} uses it to write what
 * it holds to its logged store once per commit instead of once per fact. Kafka Streams' own KTable
 * caches forward downstream from the same place.
 *
 * <p>Implements Kafka Streams' internal {@code CachedStateStore} (the state manager flushes only
 * stores it knows as caches; the Kafka version is pinned in the parent pom). A task that closes
 * without committing calls {@link #clearCache}: what the processor holds is dropped, and read back
 * from its restored store when the task starts again.
 */
final class CommitHook implements StateStore, CachedStateStore<Object, Object> {
    private final String name;
    private boolean open;
    private Runnable flush = () -> { };
    private Runnable clear = () -> { };

    private CommitHook(String name) {
        this.name = name;
    }

    /** The processor using it: {@code flush} runs before each commit, {@code clear} when uncommitted work is dropped. */
    void bind(Runnable flush, Runnable clear) {
        this.flush = flush;
        this.clear = clear;
    }

    @Override
    public void flushCache() {
        flush.run();
    }

    @Override
    public void clearCache() {
        clear.run();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> {
            throw new IllegalStateException("store " + name + " has no changelog to restore from");
        });
        open = true;
    }

    @Override
    public void close() {
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    static StoreBuilder<CommitHook> builder(String name) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<CommitHook> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitHook> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitHook> withLoggingEnabled(Map<String, String> config) {
                throw new UnsupportedOperationException("store " + name + " holds nothing to log");
            }

            @Override
            public StoreBuilder<CommitHook> withLoggingDisabled() {
                return this;
            }

            @Override
            public CommitHook build() {
                return new CommitHook(name);
            }

            @Override
            public Map<String, String> logConfig() {
                return Map.of();
            }

            @Override
            public boolean loggingEnabled() {
                return false;
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}
