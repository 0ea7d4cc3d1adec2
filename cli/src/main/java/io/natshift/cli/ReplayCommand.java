package io.natshift.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import io.natshift.capture.CaptureFiles;
import io.natshift.publish.Pacer;
import io.natshift.publish.Replay;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Publish every IKE packet of capture files to natshift.ike-packets, with the original capture "
                + "times as record timestamps. Several files are merged in capture-time order. Ends when every record "
                + "is acknowledged by the broker.",
                "Exit codes: 0 all published; 1 a send failed (after retries); 3 the topic is missing or the broker "
                        + "unreachable; 4 a file was unreadable or damaged (every good frame was still published)."})
final class ReplayCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Capture files (pcap, pcapng, optionally gzip-compressed).")
    List<Path> files;

    @Mixin
    ProbeOptions probe;

    @ArgGroup(exclusive = true)
    Pace pace;

    static final class Pace {
        @Option(names = "--speed", paramLabel = "N", description = "Replay at N times the original pace (e.g. 1, 10, 0.5).")
        Double speed;

        @Option(names = "--max", description = "As fast as Kafka accepts (the default).")
        boolean max;
    }

    @Override
    public Integer call() throws Exception {
        Pacer pacer = pace == null || pace.speed == null ? Pacer.MAX : Pacer.speed(pace.speed);
        Replay.Outcome outcome = new Replay(probe.bootstrap, probe.settings(), pacer, CaptureFiles::open)
                .run(files, System.out, true);
        if (outcome.exitCode() == Replay.NO_TOPIC) {
            outcome.problems().forEach(p -> System.err.println("natshift replay: " + p));
        }
        return outcome.exitCode();
    }
}
