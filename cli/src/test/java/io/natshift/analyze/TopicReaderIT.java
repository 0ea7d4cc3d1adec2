package io.natshift.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.natshift.kafka.LocalKafka;

class TopicReaderIT {
    static LocalKafka kafka;

    @BeforeAll
    static void start() {
        kafka = LocalKafka.start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void shouldReadEveryTopicToItsEndIntoItsOwnSinkWithoutAbortedRecords() throws Exception {
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic("reader-a", 2, (short) 1), new NewTopic("reader-b", 1, (short) 1),
                    new NewTopic("reader-empty", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "topic-reader-it");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 3000; i++) {
                producer.send(new ProducerRecord<>("reader-a", i % 2, bytes("k" + i), bytes("a" + i)));
            }
            producer.send(new ProducerRecord<>("reader-b", 0, bytes("k"), bytes("b1")));
            producer.send(new ProducerRecord<>("reader-b", 0, bytes("k"), null));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("reader-b", 0, bytes("k"), bytes("aborted")));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("reader-b", 0, bytes("k"), bytes("b2")));
            producer.commitTransaction();
        }

        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        Map<String, BiConsumer<byte[], byte[]>> sinks = new LinkedHashMap<>();
        sinks.put("reader-a", (k, v) -> a.add(text(v)));
        sinks.put("reader-b", (k, v) -> b.add(text(v)));
        sinks.put("reader-empty", (k, v) -> empty.add(text(v)));
        TopicReader.readAll(kafka.bootstrapServers(), sinks);

        assertThat(a).hasSize(3000);
        // partition order: the even records of partition 0 in the order they were sent
        assertThat(a.stream().filter(v -> Integer.parseInt(v.substring(1)) % 2 == 0).toList())
                .isEqualTo(IntStream.range(0, 1500).mapToObj(i -> "a" + 2 * i).toList());
        assertThat(b).containsExactly("b1", null, "b2");
        assertThat(empty).isEmpty();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] v) {
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }
}
