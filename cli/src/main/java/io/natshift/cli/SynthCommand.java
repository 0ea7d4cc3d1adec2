package io.natshift.cli;

import io.natshift.synth.SynthGenerator;
import io.natshift.synth.SynthOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

@Command(name = "synth", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a synthetic IKE/IPsec capture of many subscribers behind carrier NAT pools, with "
                + "its ground truth (FILE.truth.json: every shift, established SA, per pool floats and shifts, "
                + "per subscriber attempts; format in docs/synth.md).",
                "Same options and --seed give byte-identical files. Packets stream to disk: memory depends on "
                        + "the subscribers, not on the packets."})
final class SynthCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "FILE.pcap",
            description = "Capture to write; with --vantage both, FILE-inside.pcap and FILE-outside.pcap.")
    Path out;

    @Option(names = "--subscribers", defaultValue = "100", description = "Subscribers (default ${DEFAULT-VALUE}).")
    int subscribers;

    @Option(names = "--duration", defaultValue = "10m", converter = DurationConverter.class,
            description = "Capture duration, e.g. 90s, 10m, 2h (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--start", defaultValue = "2026-01-01T00:00:00Z",
            description = "Capture clock at the first packet, ISO-8601 instant (default ${DEFAULT-VALUE}).")
    Instant start;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--ike", defaultValue = "mix", paramLabel = "v1-main|v1-aggressive|v2|mix",
            description = "IKE exchanges (default ${DEFAULT-VALUE}: each subscriber picks one).")
    String ike;

    @Option(names = "--pooling", defaultValue = "arbitrary", paramLabel = "arbitrary|paired|mix:FRACTION",
            description = "NAT pool behaviour (RFC 4787); mix:F makes a fraction F of the pools arbitrary (default ${DEFAULT-VALUE}).")
    String pooling;

    @Option(names = "--pools", defaultValue = "2", description = "NAT pools (default ${DEFAULT-VALUE}).")
    int pools;

    @Option(names = "--pool-size", defaultValue = "8", description = "Public addresses per pool (default ${DEFAULT-VALUE}).")
    int poolSize;

    @Option(names = "--gateways", defaultValue = "2", description = "VPN gateways (default ${DEFAULT-VALUE}).")
    int gateways;

    @Option(names = "--gateway-behaviour", defaultValue = "strict", paramLabel = "strict|follows-new-address|mix:FRACTION",
            description = "What a gateway does with an IKE SA's packets from a new address; mix:F makes a fraction F strict (default ${DEFAULT-VALUE}).")
    String gatewayBehaviour;

    @Option(names = "--vantage", defaultValue = "outside", paramLabel = "outside|inside|both",
            description = "Probe position: at the gateway side, inside the carrier (before the NAT), or both (default ${DEFAULT-VALUE}).")
    String vantage;

    @Option(names = "--ipv6", defaultValue = "0.05", paramLabel = "FRACTION",
            description = "Subscribers on native IPv6, without NAT (default ${DEFAULT-VALUE}).")
    double ipv6;

    @Option(names = "--loss", defaultValue = "0", paramLabel = "FRACTION", description = "Packet loss on the Internet path (default ${DEFAULT-VALUE}).")
    double loss;

    @Option(names = "--udp4500-blocked", defaultValue = "0", paramLabel = "FRACTION",
            description = "Subscribers whose path drops UDP 4500 (default ${DEFAULT-VALUE}).")
    double udp4500Blocked;

    @Option(names = "--overloaded", defaultValue = "0", paramLabel = "FRACTION",
            description = "Gateways answering seconds late, causing retransmission storms (default ${DEFAULT-VALUE}).")
    double overloaded;

    @Option(names = "--address-updates", defaultValue = "0", paramLabel = "FRACTION",
            description = "Established SAs whose outside address later changes (MOBIKE, NAT rebinding): not shifts (default ${DEFAULT-VALUE}).")
    double addressUpdates;

    @Option(names = "--malformed", defaultValue = "0", paramLabel = "FRACTION",
            description = "Probability of a deliberately malformed copy after an IKE frame, counted in the truth (default ${DEFAULT-VALUE}).")
    double malformed;

    @Option(names = "--esp-rate", defaultValue = "1", paramLabel = "PACKETS/S",
            description = "ESP packets per second per established SA and direction (default ${DEFAULT-VALUE}).")
    double espRate;

    @Option(names = "--max-attempts", defaultValue = "4", description = "Attempts per subscriber before it gives up (default ${DEFAULT-VALUE}).")
    int maxAttempts;

    @Option(names = "--progress", negatable = true, description = "Progress on stderr (default: when stderr is a terminal).")
    Boolean progress;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        SynthOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        boolean show = progress != null ? progress : System.console() != null;
        long end = options.startMicros() + options.durationMicros();
        long wallStart = System.nanoTime();
        SynthGenerator.Summary s;
        try {
            s = new SynthGenerator(options).generate(out, show ? t -> {
                double pct = 100.0 * (t - options.startMicros()) / options.durationMicros();
                err.printf("\rsynth: %5.1f%% of capture time", Math.min(100, pct));
                err.flush();
            } : null);
        } catch (IOException e) {
            err.println((show ? "\r" : "") + "synth: cannot write " + out + ": " + e);
            return 1;
        }
        double seconds = (System.nanoTime() - wallStart) / 1e9;
        SynthGenerator.Files4 f = SynthGenerator.files(out, options.vantage());
        if (show) {
            err.print("\r");
        }
        err.printf("synth: %d packets in %.1f s (%.0f/s); outside %d frames, inside %d frames; %d shifts, %d established SAs; truth %s%n",
                s.packets(), seconds, s.packets() / Math.max(seconds, 1e-9), s.outsideFrames(), s.insideFrames(),
                s.shifts(), s.established(), f.truth());
        return 0;
    }

    SynthOptions options() {
        return SynthOptions.builder()
                .subscribers(subscribers)
                .durationMicros(duration.toNanos() / 1000)
                .startMicros(start.getEpochSecond() * 1_000_000L + start.getNano() / 1000)
                .seed(seed)
                .ike(switch (ike.toLowerCase()) {
                    case "v1-main" -> SynthOptions.IkeMode.V1_MAIN;
                    case "v1-aggressive" -> SynthOptions.IkeMode.V1_AGGRESSIVE;
                    case "v2" -> SynthOptions.IkeMode.V2;
                    case "mix" -> SynthOptions.IkeMode.MIX;
                    default -> throw new IllegalArgumentException("--ike: expected v1-main, v1-aggressive, v2 or mix, got " + ike);
                })
                .arbitraryPoolFraction(fraction("--pooling", pooling, "arbitrary", "paired"))
                .pools(pools)
                .poolSize(poolSize)
                .gateways(gateways)
                .strictGatewayFraction(fraction("--gateway-behaviour", gatewayBehaviour, "strict", "follows-new-address"))
                .vantage(switch (vantage.toLowerCase()) {
                    case "outside" -> SynthOptions.Vantage.OUTSIDE;
                    case "inside" -> SynthOptions.Vantage.INSIDE;
                    case "both" -> SynthOptions.Vantage.BOTH;
                    default -> throw new IllegalArgumentException("--vantage: expected outside, inside or both, got " + vantage);
                })
                .ipv6Fraction(ipv6)
                .loss(loss)
                .udp4500BlockedFraction(udp4500Blocked)
                .overloadedGatewayFraction(overloaded)
                .addressUpdateFraction(addressUpdates)
                .malformedFraction(malformed)
                .espPacketsPerSecond(espRate)
                .maxAttempts(maxAttempts)
                .build();
    }

    /** {@code all} -> 1, {@code none} -> 0, {@code mix:F} -> F. */
    static double fraction(String option, String value, String all, String none) {
        String v = value.toLowerCase();
        if (v.equals(all)) {
            return 1.0;
        }
        if (v.equals(none)) {
            return 0.0;
        }
        if (v.startsWith("mix:")) {
            try {
                return Double.parseDouble(v.substring(4));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": mix:FRACTION needs a number, got " + value);
            }
        }
        throw new IllegalArgumentException(option + ": expected " + all + ", " + none + " or mix:FRACTION, got " + value);
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase();
            try {
                if (v.startsWith("p")) {
                    return Duration.parse(value);
                }
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                return switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> throw new CommandLine.TypeConversionException("--duration: use 90s, 10m, 2h or ISO-8601, got " + value);
                };
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("--duration: use 90s, 10m, 2h or ISO-8601, got " + value);
            }
        }
    }
}
