package io.natshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

class NatshiftTest {
    private static String run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = Natshift.commandLine(args.length > 0 ? args[0] : null);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        cl.execute(args);
        return out.toString();
    }

    @Test
    void shouldListEveryCommandInTheTopLevelHelp() {
        assertThat(run("--help")).contains("decode", "synth", "topics", "replay", "capture", "streams", "analyze", "up", "tail", "help");
    }

    @Test
    void shouldBuildOnlyTheModelOfTheCommandBeingRun() {
        assertThat(Natshift.commandLine("decode").getSubcommands()).containsOnlyKeys("decode");
        assertThat(Natshift.commandLine("help").getSubcommands()).hasSize(10);
        assertThat(Natshift.commandLine("nosuch").getSubcommands()).hasSize(10);
    }

    @Test
    void shouldShowACommandsOwnHelpWhetherAskedDirectlyOrThroughHelp() {
        assertThat(run("decode", "--help")).startsWith("Usage: natshift decode");
        assertThat(run("help", "decode")).startsWith("Usage: natshift decode");
    }

    @Test
    void shouldNameAnUnknownCommand() {
        assertThat(run("nosuch")).contains("Unmatched argument at index 0: 'nosuch'");
    }
}
