package io.natshift.analyze;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads topics from the beginning to their current end (committed records only), without a consumer group.
 *
 * <p>The end is the high watermark, not the last stable offset: a transaction's commit returns to its
 * producer (and its consumer offsets become visible) before the coordinator has written the commit
 * markers into every output partition, so right after a Streams commit the last stable offset of an
 * output topic can still stand before that transaction's records. Reading only to it would miss them.
 * So the reader first waits until no transaction is open on the topic (last stable offset = high
 * watermark), then reads to that end.
 */
final class TopicReader {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long STALL_MILLIS = 60_000;

    private TopicReader() {
    }

    /**
     * Reads every topic of {@code sinks} from its beginning to its end, handing each record to its
     * topic's sink in partition order. One consumer and one admin client for all of them: a client per
     * topic cost about half a second each (metadata, connections) of every analyze run.
     */
    static void readAll(String bootstrap, Map<String, BiConsumer<byte[], byte[]>> sinks) throws InterruptedException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        String names = String.join(", ", sinks.keySet());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : sinks.keySet()) {
                consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            Map<TopicPartition, Long> end = settledEnd(bootstrap, names, partitions);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long lastProgress = System.currentTimeMillis();
            while (!reached(consumer, end)) {
                var records = consumer.poll(POLL);
                if (!records.isEmpty()) {
                    lastProgress = System.currentTimeMillis();
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    sinks.get(r.topic()).accept(r.key(), r.value());
                }
                if (System.currentTimeMillis() - lastProgress > STALL_MILLIS) {
                    throw new IllegalStateException("reading " + names + ": no progress for " + STALL_MILLIS / 1000 + " s ("
                            + behind(consumer, end) + ")");
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("reading " + names);
                }
            }
        }
    }

    /** The high watermark of every partition, once the last stable offset has caught up with it. */
    private static Map<TopicPartition, Long> settledEnd(String bootstrap, String names, List<TopicPartition> partitions)
            throws InterruptedException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long deadline = System.currentTimeMillis() + STALL_MILLIS;
            while (true) {
                Map<TopicPartition, Long> high = offsets(admin, latest, IsolationLevel.READ_UNCOMMITTED);
                Map<TopicPartition, Long> stable = offsets(admin, latest, IsolationLevel.READ_COMMITTED);
                if (stable.equals(high)) {
                    return high;
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("reading " + names + ": a transaction stayed open for " + STALL_MILLIS / 1000
                            + " s (last stable offsets " + stable + ", high watermarks " + high + ")");
                }
                Thread.sleep(50);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("reading " + names + ": cannot list their offsets: " + Analysis.reason(e), e);
        }
    }

    /** The latest offsets of {@code spec}'s partitions as a reader at {@code level} sees them. */
    static Map<TopicPartition, Long> offsets(Admin admin, Map<TopicPartition, OffsetSpec> spec, IsolationLevel level)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(spec, new ListOffsetsOptions(level)).all().get(30, TimeUnit.SECONDS)
                .forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /** The partitions short of their end, as "topic-partition at offset of end": which topic stalled, for the error. */
    private static String behind(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        List<String> out = new ArrayList<>();
        end.forEach((tp, last) -> {
            long at = consumer.position(tp);
            if (at < last) {
                out.add(tp + " at " + at + " of " + last);
            }
        });
        return String.join(", ", out);
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
