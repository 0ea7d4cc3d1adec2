package io.natshift.cli;

import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import io.natshift.publish.TopicSetup;
import io.natshift.schemas.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Manage natshift's Kafka topics (names and settings: docs/topics.md).",
        subcommands = TopicsCommand.Create.class)
final class TopicsCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create every topic natshift uses, with its documented settings. Topics that exist are "
                    + "reported and left unchanged (safe to run again).",
                    "Exit codes: 0 done, 1 the broker refused or could not be reached."})
    static final class Create implements Callable<Integer> {
        @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
        String bootstrap;

        @Option(names = "--partitions", defaultValue = "12", paramLabel = "N",
                description = "Partitions of each new topic (default ${DEFAULT-VALUE}); the parallelism of the streams app.")
        int partitions;

        @Option(names = "--replication", paramLabel = "R",
                description = "Replicas of each new topic (default: the broker's default.replication.factor). "
                        + "With 3 or more, min.insync.replicas is set to 2.")
        Short replication;

        @Override
        public Integer call() throws Exception {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
            try (Admin admin = Admin.create(p)) {
                List<TopicSetup.Created> created = TopicSetup.create(admin, Topics.all(), partitions, Optional.ofNullable(replication));
                for (TopicSetup.Created c : created) {
                    System.out.println(c.topic() + (c.existed() ? ": exists, left unchanged" : ": created (" + partitions + " partitions)"));
                }
                return 0;
            } catch (java.util.concurrent.ExecutionException e) {
                System.err.println("natshift topics create: " + bootstrap + ": " + e.getCause().getMessage());
                return 1;
            } catch (IllegalArgumentException e) {
                System.err.println("natshift topics create: " + e.getMessage());
                return 2;
            }
        }
    }
}
