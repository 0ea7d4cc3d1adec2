package io.natshift.schemas;

import java.util.Map;
import java.util.function.Supplier;

import org.apache.kafka.common.serialization.Serde;

/**
 * One topic of the product: its name, how to build its serdes, and the configuration
 * `natshift topics create` gives it. Producer and consumer take both from here, so they cannot disagree.
 */
public record Topic<K, V>(String name, Supplier<Serde<K>> keySerde, Supplier<Serde<V>> valueSerde, Map<String, String> config,
                          String description) {

    /** The same topic under a prefix (analyze against a shared cluster uses a unique one per run). */
    public Topic<K, V> withPrefix(String prefix) {
        return new Topic<>(prefix + name, keySerde, valueSerde, config, description);
    }
}
