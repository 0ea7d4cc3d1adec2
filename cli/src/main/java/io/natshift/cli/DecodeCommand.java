package io.natshift.cli;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.natshift.capture.CaptureFiles;
import io.natshift.capture.CaptureFormatException;
import io.natshift.capture.CaptureReader;
import io.natshift.decode.DecodeResult;
import io.natshift.decode.DecodeStats;
import io.natshift.decode.DecoderConfig;
import io.natshift.decode.FrameDecoder;
import io.natshift.decode.IkeMessage;
import io.natshift.decode.LinkType;
import io.natshift.decode.RejectReason;
import io.natshift.publish.Vantage;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code natshift decode}. Its picocli model is built through picocli's programmatic API, not from
 * annotations: decode is the command whose start-up counts (a short capture decodes in a fraction
 * of the JVM's start), and the JDK's first annotation lookup alone (dynamic proxy classes, which the
 * class-data sharing archive of Java 17 cannot hold) cost about 30 ms of it, picocli's reflection
 * over the annotated fields as much again.
 */
final class DecodeCommand implements Callable<Integer> {
    static final String[] DESCRIPTION = {
            "Print the IKE packets of pcap/pcapng captures (gzip-compressed too) as JSON lines or TSV,",
            "one line per IKE packet with the fields of the IkePacket contract (SPIs in hex).",
            "At the end, on stderr: frames read, IKE packets, keepalives, ESP-in-UDP, rejections by reason.",
            "Exit status: 0 when every file was read to its end, 1 when a file was missing, not a capture,",
            "cut off (what precedes the cut is still printed) or of an unsupported link type."};

    private final CommandSpec spec;
    private final PositionalParamSpec filesParam;
    private final OptionSpec formatOption;
    private final OptionSpec outputOption;
    private final OptionSpec probeIdOption;
    private final OptionSpec vantageOption;
    private final OptionSpec ikePortOption;
    private final OptionSpec natTPortOption;
    private final OptionSpec quietOption;

    List<Path> files;
    PacketLines.Format format;
    Path output;
    String probeId;
    Vantage vantage;
    List<Integer> ikePorts;
    List<Integer> natTPorts;
    boolean quiet;

    DecodeCommand() {
        spec = CommandSpec.wrapWithoutInspection(this).name("decode");
        spec.usageMessage().description(DESCRIPTION).sortOptions(false);
        spec.versionProvider(new Natshift.Version());
        filesParam = PositionalParamSpec.builder().arity("1..*").required(true).paramLabel("FILE").type(List.class).auxiliaryTypes(Path.class)
                .description("Capture files: pcap or pcapng, optionally gzip-compressed.").build();
        formatOption = OptionSpec.builder("--format").paramLabel("json|tsv").type(PacketLines.Format.class).defaultValue("json")
                .description("Output format (default: ${DEFAULT-VALUE}).").build();
        outputOption = OptionSpec.builder("-o", "--output").paramLabel("FILE").type(Path.class)
                .description("Write lines here instead of stdout.").build();
        probeIdOption = OptionSpec.builder("--probe-id").paramLabel("ID").type(String.class)
                .description("probeId field of every line (default: this host's name).").build();
        vantageOption = OptionSpec.builder("--vantage").paramLabel("inside|outside|gateway|unknown").type(Vantage.class)
                .defaultValue("unknown").description("Where the capture was taken relative to the NAT (default: ${DEFAULT-VALUE}).").build();
        ikePortOption = OptionSpec.builder("--ike-port").paramLabel("PORT").splitRegex(",").type(List.class).auxiliaryTypes(Integer.class)
                .initialValue(new ArrayList<Integer>()).description("Extra UDP ports carrying IKE directly (500 is always one).").build();
        natTPortOption = OptionSpec.builder("--nat-t-port").paramLabel("PORT").splitRegex(",").type(List.class).auxiliaryTypes(Integer.class)
                .initialValue(new ArrayList<Integer>())
                .description("Extra UDP ports carrying IKE behind the non-ESP marker (4500 is always one).").build();
        quietOption = OptionSpec.builder("-q", "--quiet").type(boolean.class)
                .description("No summary on stderr (errors are still printed).").build();
        spec.addPositional(filesParam);
        for (OptionSpec o : List.of(formatOption, outputOption, probeIdOption, vantageOption, ikePortOption, natTPortOption, quietOption)) {
            spec.addOption(o);
        }
        Natshift.addHelpOptions(spec);
    }

    CommandSpec spec() {
        return spec;
    }

    /** The parsed values, from the model into the fields. */
    private void bind() {
        files = filesParam.getValue();
        format = formatOption.getValue();
        output = outputOption.getValue();
        probeId = probeIdOption.getValue();
        vantage = vantageOption.getValue();
        ikePorts = ikePortOption.getValue();
        natTPorts = natTPortOption.getValue();
        Boolean q = quietOption.getValue();
        quiet = q != null && q;
    }

    @Override
    public Integer call() throws IOException {
        bind();
        PrintWriter err = spec.commandLine().getErr();
        List<Integer> ike = new ArrayList<>(ikePorts);
        ike.add(DecoderConfig.IKE_PORT);
        List<Integer> natT = new ArrayList<>(natTPorts);
        natT.add(DecoderConfig.NAT_T_PORT);
        FrameDecoder decoder = new FrameDecoder(new DecoderConfig(ike, natT));
        String probe = probeId != null ? probeId : Hosts.localName();
        try {
            return decodeAll(decoder, probe, err) ? 1 : 0;
        } catch (UncheckedIOException e) {
            return outputFailed(err, e.getMessage());
        } catch (IOException e) {
            // input errors are reported per file inside; what reaches here is the output side:
            // the -o file cannot be created, or closing it (the last flush) failed
            return outputFailed(err, BackgroundLines.failed(e).getMessage());
        }
    }

    private int outputFailed(PrintWriter err, String message) {
        err.println("natshift decode: " + (output == null ? "stdout" : output) + ": " + message);
        err.flush();
        return 1;
    }

    /** Returns true when some file failed. */
    private boolean decodeAll(FrameDecoder decoder, String probe, PrintWriter err) throws IOException {
        boolean failed = false;
        DecodeStats total = new DecodeStats();
        try (OutputStream out = output == null ? new NonClosing(System.out) : new BufferedOutputStream(new FileOutputStream(output.toFile()), 1 << 16)) {
            PacketLines lines = PacketLines.of(format, out);
            try {
                lines.begin();
                lines.flush();
            } catch (IOException e) {
                throw BackgroundLines.failed(e);
            }
            try (BackgroundLines background = new BackgroundLines(format, out, lines.text(probe), lines.text(vantage.text()))) {
                for (Path file : files) {
                    DecodeStats stats = new DecodeStats();
                    String error = decodeFile(file, decoder, stats, lines, background);
                    background.flush();
                    total.add(stats);
                    if (!quiet) {
                        err.println("natshift decode: " + file + ": " + stats.summary());
                    }
                    if (error != null) {
                        err.println("natshift decode: " + error);
                        failed = true;
                    }
                }
            }
        }
        if (!quiet && files.size() > 1) {
            err.println("natshift decode: total: " + total.summary());
        }
        err.flush();
        return failed;
    }

    /** Returns a one-line error naming the file, or null when the file was read to its end. */
    private static String decodeFile(Path file, FrameDecoder decoder, DecodeStats stats, PacketLines lines,
                                     BackgroundLines out) throws IOException {
        CaptureReader reader;
        try {
            reader = CaptureFiles.open(file);
        } catch (NoSuchFileException e) {
            return file + ": no such file";
        } catch (CaptureFormatException e) {
            return e.getMessage();
        } catch (IOException e) {
            return file + ": cannot read: " + e.getMessage();
        }
        try (reader) {
            byte[] source = lines.text(reader.source());
            while (reader.next()) {
                DecodeResult r = stats.count(decoder.decode(reader.buffer(), reader.offset(), reader.length(), reader.linkType()));
                if (r instanceof IkeMessage m) {
                    out.write(source, reader.frameNumber(), reader.timestampMicros(), m);
                } else if (r instanceof DecodeResult.Rejected rejected && rejected.reason() == RejectReason.UNSUPPORTED_LINK_TYPE) {
                    return file + ": unsupported link type " + LinkType.name(reader.linkType())
                            + " at frame " + reader.frameNumber()
                            + " (natshift reads Ethernet, 802.1Q/QinQ, Linux cooked v1/v2, raw IP and BSD loopback)";
                }
            }
            return null;
        } catch (CaptureFormatException e) {
            return e.getMessage();
        } catch (IOException e) {
            return file + ": read failed: " + e.getMessage();
        }
    }

    /** stdout must stay open for later output; closing the command's stream only flushes it. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
