package io.natshift.cli;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The launcher behind bin/natshift: one subcommand per step of the product. */
@Command(name = "natshift",
        mixinStandardHelpOptions = true,
        versionProvider = Natshift.Version.class,
        description = "Finds IKE/IPsec faults (NAT-T address shifts across arbitrary NAT pools, stalls, "
                + "rejections) in packet captures and live traffic, at carrier scale, on Kafka.")
public final class Natshift implements Runnable {
    /**
     * The subcommands, in help order. Added by hand rather than in the annotation so that a run of one
     * command builds only that command's model: picocli reflects over every registered command at start,
     * which was a quarter of a short `decode`'s wall time.
     */
    private static final List<Map.Entry<String, Supplier<Object>>> COMMANDS = List.of(
            Map.entry("decode", DecodeCommand::new),
            Map.entry("synth", SynthCommand::new),
            Map.entry("topics", TopicsCommand::new),
            Map.entry("replay", ReplayCommand::new),
            Map.entry("capture", CaptureCommand::new),
            Map.entry("streams", StreamsCommand::new),
            Map.entry("analyze", AnalyzeCommand::new),
            Map.entry("up", UpCommand::new),
            Map.entry("tail", TailCommand::new),
            Map.entry("help", CommandLine.HelpCommand::new));

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine(args.length > 0 ? args[0] : null).execute(args));
    }

    static CommandLine commandLine() {
        return commandLine(null);
    }

    /** Only {@code first}'s subcommand when it names one (and is not help); all of them otherwise. */
    static CommandLine commandLine(String first) {
        CommandLine cl = new CommandLine(new Natshift());
        boolean one = COMMANDS.stream().anyMatch(c -> c.getKey().equals(first) && !first.equals("help"));
        for (Map.Entry<String, Supplier<Object>> c : COMMANDS) {
            if (!one || c.getKey().equals(first)) {
                cl.addSubcommand(c.getKey(), c.getValue().get());
            }
        }
        return cl.setCaseInsensitiveEnumValuesAllowed(true).setUsageHelpAutoWidth(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Natshift.class.getPackage().getImplementationVersion();
            return new String[] {"natshift " + (v == null ? "development build" : v)};
        }
    }
}
