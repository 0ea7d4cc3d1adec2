package io.natshift.analyze;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic from the beginning to its current end (committed records only), without a consumer group. */
final class TopicReader {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long STALL_MILLIS = 60_000;

    private TopicReader() {
    }

    static void readAll(String bootstrap, String topic, BiConsumer<byte[], byte[]> sink) throws InterruptedException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long lastProgress = System.currentTimeMillis();
            while (!reached(consumer, end)) {
                var records = consumer.poll(POLL);
                if (!records.isEmpty()) {
                    lastProgress = System.currentTimeMillis();
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    sink.accept(r.key(), r.value());
                }
                if (System.currentTimeMillis() - lastProgress > STALL_MILLIS) {
                    throw new IllegalStateException("reading " + topic + ": no progress for " + STALL_MILLIS / 1000 + " s");
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("reading " + topic);
                }
            }
        }
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
