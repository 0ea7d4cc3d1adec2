package io.natshift.cli;

import java.util.concurrent.Callable;

import io.natshift.capture.LiveCaptureReader;
import io.natshift.publish.LiveCapture;
import io.natshift.schemas.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "capture", mixinStandardHelpOptions = true,
        description = {"Capture IKE live from a network interface (libpcap) and publish every IKE packet to "
                + "natshift.ike-packets until SIGINT/SIGTERM; then flush and print the summary. Needs root or "
                + "CAP_NET_RAW (docs/probe.md).",
                "Exit codes: 0 stopped cleanly; 1 a send failed; 3 the topic is missing or the broker unreachable; "
                        + "4 the interface could not be opened or the capture broke."})
final class CaptureCommand implements Callable<Integer> {

    @Option(names = "--interface", required = true, paramLabel = "IF", description = "Interface to capture on, e.g. eth1.")
    String interfaceName;

    @Option(names = "--filter", defaultValue = LiveCaptureReader.DEFAULT_FILTER, paramLabel = "BPF",
            description = "libpcap filter (default: ${DEFAULT-VALUE}).")
    String filter;

    @Option(names = "--promiscuous", description = "Promiscuous mode, for a mirror port or tap (also needs CAP_NET_ADMIN).")
    boolean promiscuous;

    @Option(names = "--queue-frames", defaultValue = "100000", paramLabel = "N",
            description = "Frames the queue between capture and Kafka holds before it drops (default ${DEFAULT-VALUE}).")
    int queueFrames;

    @Option(names = "--queue-mb", defaultValue = "64", paramLabel = "MB",
            description = "Bytes the queue holds before it drops, in MiB (default ${DEFAULT-VALUE}).")
    int queueMb;

    @Mixin
    ProbeOptions probe;

    @Override
    public Integer call() throws Exception {
        LiveCapture capture = new LiveCapture(probe.bootstrap, probe.settings(),
                new LiveCapture.Options(interfaceName, filter, promiscuous, new LiveCaptureReader.Limits(queueFrames, (long) queueMb << 20)),
                Topics.IKE_PACKETS);
        // SIGINT and SIGTERM run shutdown hooks: stop capturing, then wait for the flush and summary
        Thread hook = new Thread(() -> {
            capture.stop();
            try {
                if (capture.awaitDone(60_000)) {
                    System.out.flush();
                    // exit with the run's status (0 after a clean stop) rather than the signal's
                    Runtime.getRuntime().halt(capture.exitCode());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "natshift-capture-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = capture.run(System.out);
        System.out.flush();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // a signal ended the run: the JVM exits with the signal's status, the summary is printed
        }
        return code;
    }
}
