package io.natshift.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The launcher behind bin/natshift: one subcommand per step of the product. */
@Command(name = "natshift",
        mixinStandardHelpOptions = true,
        versionProvider = Natshift.Version.class,
        description = "Finds IKE/IPsec faults (NAT-T address shifts across arbitrary NAT pools, stalls, "
                + "rejections) in packet captures and live traffic, at carrier scale, on Kafka.",
        subcommands = {
                DecodeCommand.class,
                SynthCommand.class,
                TopicsCommand.class,
                ReplayCommand.class,
                CaptureCommand.class,
                StreamsCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Natshift implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Natshift())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setUsageHelpAutoWidth(true);
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
