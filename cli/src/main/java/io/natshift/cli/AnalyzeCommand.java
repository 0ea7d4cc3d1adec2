package io.natshift.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

import io.natshift.analyze.Analysis;
import io.natshift.analyze.AnalysisException;
import io.natshift.analyze.Status;
import io.natshift.publish.Vantage;
import io.natshift.report.Findings;
import io.natshift.report.HtmlReport;
import io.natshift.report.JsonReport;
import io.natshift.report.TextReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "From captures to a diagnosis in one command: starts an embedded Kafka broker (or uses --bootstrap),",
                "replays the captures at full speed, runs the natshift topology until every timeout has closed, and",
                "prints the report: NAT-T address shifts, failed SAs by cause, NAT pool verdicts, gateways, diagnosis.",
                "Progress goes to stderr; stdout carries only the report (see docs/analyze.md).",
                "Exit codes: 0 report written; 2 unreadable capture or bad option; 3 no IKE in the captures;",
                "4 the broker cannot start (or topics cannot be created); 5 the pipeline failed."})
final class AnalyzeCommand implements Callable<Integer> {

    enum Format { TEXT, JSON, HTML }

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Capture files (pcap, pcapng, optionally gzip-compressed).")
    List<Path> files;

    @Option(names = "--vantage", paramLabel = "FILE=inside|outside|gateway",
            description = "Where the probe of FILE sat relative to the NAT (repeatable; default unknown).")
    Map<String, String> vantages = new LinkedHashMap<>();

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json|html",
            description = "Report format (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", paramLabel = "PATH", description = "Write the report to PATH instead of stdout.")
    Path out;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Use this Kafka cluster instead of an embedded broker (a unique topic prefix and application id, removed afterwards).")
    String bootstrap;

    @Option(names = "--partitions", defaultValue = "2", description = "Partitions of the run's input topic (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--threads", defaultValue = "1", description = "Kafka Streams threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--max-ladders", defaultValue = "100",
            description = "Alerted SAs whose packets are read back for ladder diagrams and evidence frames (default ${DEFAULT-VALUE}).")
    int maxLadders;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties: natshift.* topology settings (docs/topology.md) and Kafka Streams settings.")
    Path configFile;

    @Option(names = "--tmp-dir", paramLabel = "DIR", description = "Where temporary broker and state directories go (default: the system's).")
    Path tmpDir;

    @Option(names = "--quiet", description = "No progress on stderr.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Format f;
        try {
            f = Format.valueOf(format.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            err.println("natshift analyze: --format must be text, json or html, not '" + format + "'");
            return AnalysisException.UNREADABLE_INPUT;
        }
        List<Analysis.Input> inputs = new ArrayList<>();
        Map<String, String> remaining = new HashMap<>(vantages);
        for (Path file : files) {
            String v = remaining.remove(file.toString());
            if (v == null) {
                v = remaining.remove(file.getFileName().toString());
            }
            Vantage vantage;
            try {
                vantage = v == null ? Vantage.UNKNOWN : Vantage.valueOf(v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                err.println("natshift analyze: --vantage " + file + "=" + v + ": must be inside, outside or gateway");
                return AnalysisException.UNREADABLE_INPUT;
            }
            inputs.add(new Analysis.Input(file, vantage));
        }
        if (!remaining.isEmpty()) {
            err.println("natshift analyze: --vantage names files not given: " + String.join(", ", remaining.keySet()));
            return AnalysisException.UNREADABLE_INPUT;
        }
        if (partitions < 1 || threads < 1 || maxLadders < 0) {
            err.println("natshift analyze: --partitions and --threads must be at least 1, --max-ladders at least 0");
            return AnalysisException.UNREADABLE_INPUT;
        }
        Properties fromFile = ConfigFile.load(configFile, "analyze", err);
        if (fromFile == null) {
            return AnalysisException.UNREADABLE_INPUT;
        }
        Map<String, String> settings = new HashMap<>();
        fromFile.forEach((k, v) -> settings.put(k.toString(), v.toString()));
        if (System.getenv("NATSHIFT_LOG_LEVEL") == null) {
            // the embedded broker and Streams warn about things that are normal here (empty metadata log, temp state dir)
            Configurator.setLevel("org.apache.kafka", Level.ERROR);
            Configurator.setLevel("kafka", Level.ERROR);
            Configurator.setLevel("io.natshift.kafka", Level.WARN);
            // Transactions v2 rejects a transaction's first batch that overtakes seq 0 with a retriable
            // OutOfOrderSequence (KAFKA-18202); the producer retries, but the broker logs each one at ERROR
            Configurator.setLevel("kafka.server.ReplicaManager", Level.OFF);
        }
        Path temp = tmpDir != null ? tmpDir : Path.of(System.getProperty("java.io.tmpdir"));
        Status status = quiet ? Status.NONE : new StderrStatus(System.err, System.console() != null);
        Analysis.Result result;
        try {
            result = new Analysis(new Analysis.Options(inputs, bootstrap, temp, partitions, threads, maxLadders, settings), status).run();
        } catch (AnalysisException e) {
            status.phase("");
            err.println("natshift analyze: " + e.getMessage());
            err.flush();
            return e.exitCode();
        }
        Findings findings = new Findings(result.report());
        String report = switch (f) {
            case TEXT -> TextReport.render(findings);
            case JSON -> JsonReport.render(findings);
            case HTML -> HtmlReport.render(findings);
        };
        if (out != null) {
            try {
                Files.writeString(out, report, StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("natshift analyze: --out " + out + ": cannot write: " + e.getMessage());
                return AnalysisException.UNREADABLE_INPUT;
            }
        } else {
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.print(report);
            stdout.flush();
        }
        status.phase("timings: " + result.times().line() + (out != null ? "; report in " + out : ""));
        return 0;
    }

    /** Phases as lines on stderr; progress redrawn in place only on a terminal. */
    static final class StderrStatus implements Status {
        private final PrintStream err;
        private final boolean terminal;
        private boolean dirty;

        StderrStatus(PrintStream err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        @Override
        public synchronized void phase(String text) {
            if (dirty) {
                err.print("\r\u001b[K");
                dirty = false;
            }
            if (!text.isEmpty()) {
                err.println("analyze: " + text);
            }
            err.flush();
        }

        @Override
        public synchronized void progress(String text) {
            if (terminal) {
                err.print("\ranalyze: " + text + "\u001b[K");
                err.flush();
                dirty = true;
            }
        }
    }
}
