package io.natshift.publish;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** The probe's check at start: its topic exists (it never relies on auto-creation). */
public final class TopicCheck {
    private TopicCheck() {
    }

    /** Partition count of {@code topic}; a missing topic or unreachable broker throws a message saying what to do. */
    public static int partitions(String bootstrapServers, String topic) throws InterruptedException {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        try (Admin admin = Admin.create(p)) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            return d.partitions().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new MissingTopicException("topic " + topic + " does not exist on " + bootstrapServers
                        + "; create it with: bin/natshift topics create --bootstrap " + bootstrapServers);
            }
            throw new MissingTopicException("cannot describe topic " + topic + " on " + bootstrapServers + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new MissingTopicException("no Kafka broker answered on " + bootstrapServers + " within 30 s (checking topic " + topic + ")");
        }
    }

    public static final class MissingTopicException extends RuntimeException {
        public MissingTopicException(String message) {
            super(message);
        }
    }
}
