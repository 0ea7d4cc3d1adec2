package io.natshift.publish;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.natshift.schemas.Topics;

/** Reads a topic back from the beginning, the way a downstream consumer would (read_committed). */
final class TopicConsumer {
    private TopicConsumer() {
    }

    static List<ConsumerRecord<byte[], SpecificRecord>> readAll(String bootstrap, String topic, int expected, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        // probes publish in transactions: aborted attempts must stay invisible, as downstream
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], SpecificRecord>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], SpecificRecord> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                Topics.IKE_PACKETS.valueSerde().get().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            long quietUntil = 0;
            while (System.nanoTime() < deadline) {
                int n = 0;
                for (ConsumerRecord<byte[], SpecificRecord> r : consumer.poll(Duration.ofMillis(200))) {
                    records.add(r);
                    n++;
                }
                // read a little past the expected count, so duplicates would show
                if (records.size() >= expected) {
                    if (quietUntil == 0) {
                        quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                    } else if (n == 0 && System.nanoTime() > quietUntil) {
                        break;
                    }
                }
            }
        }
        return records;
    }
}
