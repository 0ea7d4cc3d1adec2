package io.natshift.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class LocalKafkaIT {

    @Test
    void shouldKeepRecordsAndPortWhenRestartedAndDeleteDataWhenClosed() throws Exception {
        Path dir;
        try (LocalKafka kafka = LocalKafka.start()) {
            dir = kafka.dataDir();
            String bootstrap = kafka.bootstrapServers();
            assertThat(bootstrap).startsWith("127.0.0.1:");
            try (Admin admin = kafka.admin()) {
                admin.createTopics(List.of(new NewTopic("local-kafka-it", 1, (short) 1))).all().get();
            }
            produce(kafka, "before-restart");

            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
            kafka.restart();

            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
            produce(kafka, "after-restart");
            assertThat(consumeAll(kafka, 2)).containsExactly("before-restart", "after-restart");
            assertThat(Files.exists(dir)).isTrue();
        }
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void shouldNotCreateTopicsOnFirstSend() throws Exception {
        try (LocalKafka kafka = LocalKafka.start(); Admin admin = kafka.admin()) {
            Properties p = kafka.clientProperties();
            p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "true");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
                consumer.partitionsFor("never-created", Duration.ofSeconds(2));
            } catch (org.apache.kafka.common.errors.TimeoutException expected) {
                // the topic does not exist and is not created
            }
            assertThat(admin.listTopics().names().get()).doesNotContain("never-created");
        }
    }

    private static void produce(LocalKafka kafka, String value) throws Exception {
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("local-kafka-it", value)).get();
        }
    }

    private static List<String> consumeAll(LocalKafka kafka, int expected) {
        Properties p = kafka.clientProperties();
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition("local-kafka-it", 0);
            consumer.assign(Set.of(tp));
            consumer.seekToBeginning(Set.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
