package io.natshift.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

// Placeholder until the capture-file reader lands; the real command is being merged.
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Print the IKE packets of pcap/pcapng captures (gzip too) as JSON lines or TSV.")
final class DecodeCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Capture files (pcap, pcapng, optionally gzip-compressed).")
    List<Path> files;

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("being written");
    }
}
