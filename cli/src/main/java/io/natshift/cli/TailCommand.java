package io.natshift.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

import io.natshift.report.RecordLines;
import io.natshift.schemas.Topic;
import io.natshift.schemas.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "tail", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print an output topic as readable lines, one per record (Avro or JSON output format alike).",
                "Runs until interrupted, or until --max records were printed."})
final class TailCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--topic", defaultValue = "alerts", paramLabel = "alerts|sessions|pool-stats|...",
            description = "Output topic, without the natshift. prefix (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--prefix", defaultValue = "", paramLabel = "PREFIX", description = "Topic prefix (natshift.topic.prefix of the app).")
    String prefix;

    @Option(names = "--from-beginning", description = "Start at the oldest record (default: only new records).")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
    Long max;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Topic<?, ?> chosen = Topics.all().stream()
                .filter(t -> t != Topics.IKE_PACKETS && (t.name().equals(topic) || t.name().equals("natshift." + topic)))
                .findFirst().orElse(null);
        if (chosen == null) {
            err.println("natshift tail: --topic " + topic + ": not an output topic; one of "
                    + String.join(", ", Topics.all().stream().filter(t -> t != Topics.IKE_PACKETS)
                    .map(t -> t.name().replaceFirst("^natshift\\.", "")).toList()));
            return 2;
        }
        String name = prefix + chosen.name();
        Deserializer<?> values = chosen.valueSerde().get().deserializer();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        AtomicBoolean stop = new AtomicBoolean();
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            stop.set(true);
            main.interrupt();
        }, "natshift-tail-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long printed = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var infos = consumer.partitionsFor(name, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                err.println("natshift tail: topic " + name + " does not exist on " + bootstrap);
                return 3;
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(name, i.partition())).toList();
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            while (!stop.get() && (max == null || printed < max)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.println(render(values, name, r));
                    printed++;
                    if (max != null && printed >= max) {
                        break;
                    }
                }
                out.flush();
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            // Ctrl-C
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            err.println("natshift tail: " + bootstrap + " unreachable: " + e.getMessage());
            return 3;
        } finally {
            if (!stop.get()) {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
        }
        return 0;
    }

    private static String render(Deserializer<?> values, String topic, ConsumerRecord<byte[], byte[]> r) {
        String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
        if (r.value() == null) {
            return "deleted " + key;
        }
        if (r.value().length > 0 && r.value()[0] == '{') {
            return new String(r.value(), StandardCharsets.UTF_8); // natshift.output.format=json
        }
        try {
            return RecordLines.line(values.deserialize(topic, r.value()));
        } catch (RuntimeException e) {
            return "undecodable record at " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + e.getMessage();
        }
    }
}
