package io.natshift.publish;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

import io.natshift.schemas.Topic;

/**
 * Creates natshift's topics with their documented configuration ({@code natshift topics create}).
 * Idempotent: a topic that exists is reported and left as it is.
 */
public final class TopicSetup {
    private TopicSetup() {
    }

    public record Created(String topic, boolean existed) {
    }

    /**
     * Returns once every partition of a new topic answers as leader. Metadata can name the leader a
     * moment before the broker acts as one; a producer starting in that moment gets
     * NOT_LEADER_OR_FOLLOWER on its first batch and (seen with Kafka 4.4 under load) then
     * OUT_OF_ORDER_SEQUENCE on the retry while later batches went through, failing the run after
     * delivery.timeout.ms. ListOffsets is answered by the leader itself, so its success rules that out.
     */
    static void awaitLeaders(Admin admin, String topic, int partitions) throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                admin.listOffsets(latest).all().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * @param partitions  partitions of each new topic
     * @param replication replicas of each new topic, or empty for the broker's default.replication.factor
     */
    public static List<Created> create(Admin admin, List<Topic<?, ?>> topics, int partitions, Optional<Short> replication)
            throws InterruptedException, ExecutionException {
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1, not " + partitions);
        }
        List<Created> result = new ArrayList<>();
        for (Topic<?, ?> t : topics) {
            Map<String, String> config = new HashMap<>(t.config());
            // with 3 or more replicas, acks=all waits for 2: one broker may fail without loss or stall
            replication.filter(r -> r >= 3).ifPresent(r -> config.put("min.insync.replicas", "2"));
            NewTopic nt = new NewTopic(t.name(), Optional.of(partitions), replication).configs(config);
            try {
                admin.createTopics(List.of(nt)).all().get();
                awaitLeaders(admin, t.name(), partitions);
                result.add(new Created(t.name(), false));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                result.add(new Created(t.name(), true));
            }
        }
        return result;
    }
}
