package io.natshift.cli;

import java.time.Duration;

import io.natshift.publish.Probe;
import io.natshift.publish.Vantage;
import picocli.CommandLine.Option;

/** Options every probe command shares (replay, capture). */
final class ProbeOptions {
    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--probe-id", paramLabel = "ID", description = "Probe id recorded in every record (default: host name).")
    String probeId;

    @Option(names = "--vantage", defaultValue = "unknown", paramLabel = "inside|outside|gateway",
            description = "Where this probe sits relative to the NAT (default: ${DEFAULT-VALUE}).")
    Vantage vantage;

    @Option(names = "--heartbeat", defaultValue = "10s", paramLabel = "DURATION",
            description = "Capture time a partition may stay quiet before the probe sends it a heartbeat, "
                    + "e.g. 10s, 500ms, 1m (default ${DEFAULT-VALUE}); 0 turns heartbeats off.")
    String heartbeat;

    Probe.Settings settings() {
        return new Probe.Settings(probeId == null ? Hosts.localName() : probeId, vantage, heartbeatMicros(heartbeat));
    }

    static long heartbeatMicros(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("0") || t.equals("off")) {
            return 0;
        }
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))).toNanos() / 1000;
            }
            if (t.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1))).toNanos() / 1000;
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1))).toNanos() / 1000;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException("--heartbeat: '" + text + "' is not a duration like 10s, 500ms, 1m or 0");
    }
}
