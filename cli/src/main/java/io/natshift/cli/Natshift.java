package io.natshift.cli;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The launcher behind bin/natshift: one subcommand per step of the product. The top-level model is
 * built through picocli's programmatic API (see {@link DecodeCommand} for why); the other
 * subcommands are annotated classes.
 */
public final class Natshift implements Runnable {
    /**
     * The subcommands, in help order. Added by hand rather than in the annotation so that a run of one
     * command builds only that command's model: picocli reflects over every registered command at start,
     * which was a quarter of a short `decode`'s wall time.
     */
    private static final List<Map.Entry<String, Supplier<Object>>> COMMANDS = List.of(
            Map.entry("decode", () -> new DecodeCommand().spec()),
            Map.entry("synth", SynthCommand::new),
            Map.entry("topics", TopicsCommand::new),
            Map.entry("replay", ReplayCommand::new),
            Map.entry("capture", CaptureCommand::new),
            Map.entry("streams", StreamsCommand::new),
            Map.entry("analyze", AnalyzeCommand::new),
            Map.entry("up", UpCommand::new),
            Map.entry("tail", TailCommand::new),
            Map.entry("help", CommandLine.HelpCommand::new));

    private final CommandSpec spec;

    private Natshift() {
        spec = CommandSpec.wrapWithoutInspection(this).name("natshift").versionProvider(new Version());
        spec.usageMessage().description("Finds IKE/IPsec faults (NAT-T address shifts across arbitrary NAT pools, stalls, "
                + "rejections) in packet captures and live traffic, at carrier scale, on Kafka.");
        addHelpOptions(spec);
    }

    /** -h/--help and -V/--version, as picocli's mixinStandardHelpOptions adds them to annotated commands. */
    static void addHelpOptions(CommandSpec spec) {
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print version information and exit.").build());
    }

    public static void main(String[] args) {
        System.exit(commandLine(args.length > 0 ? args[0] : null).execute(args));
    }

    static CommandLine commandLine() {
        return commandLine(null);
    }

    /** Only {@code first}'s subcommand when it names one (and is not help); all of them otherwise. */
    static CommandLine commandLine(String first) {
        CommandLine cl = new CommandLine(new Natshift().spec);
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
