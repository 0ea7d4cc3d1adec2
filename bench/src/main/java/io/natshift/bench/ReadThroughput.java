package io.natshift.bench;

import io.natshift.capture.CaptureFiles;
import io.natshift.capture.CaptureReader;
import io.natshift.capture.Pcap4jFileReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;

/**
 * Read-only throughput of the capture readers on one file, in the same JVM and run: our pure-Java
 * reader against pcap4j/libpcap ({@code getNextRawPacketEx}, the fallback path). Reading only: every
 * frame's bytes are touched (summed) but not decoded. Rounds alternate between the readers after a
 * warm-up; the medians are printed. Further files (the same frames as pcapng and gzip, see
 * {@link BigCapture}) are read by our reader only, or by both when libpcap reads them too.
 * Usage: ReadThroughput ROUNDS WARMUP FILE [FILE...]
 */
public final class ReadThroughput {
    private ReadThroughput() {
    }

    interface Opener {
        CaptureReader open(Path file) throws IOException;
    }

    record Pass(long frames, long nanos, long checksum) {
    }

    public static void main(String[] args) throws IOException {
        int rounds = Integer.parseInt(args[0]);
        int warmup = Integer.parseInt(args[1]);
        for (int f = 2; f < args.length; f++) {
            Path file = Paths.get(args[f]);
            boolean libpcapReads = !file.toString().endsWith(".gz");
            measure(file, rounds, warmup, libpcapReads);
        }
    }

    static void measure(Path file, int rounds, int warmup, boolean withPcap4j) throws IOException {
        long size = Files.size(file);
        String[] names = {"natshift pure-Java reader", "pcap4j getNextRawPacketEx"};
        Opener[] readers = withPcap4j ? new Opener[] {CaptureFiles::open, Pcap4jFileReader::new} : new Opener[] {CaptureFiles::open};
        long[][] nanos = new long[readers.length][rounds];
        long[] frames = new long[readers.length];
        long[] checksums = new long[readers.length];
        for (int round = -warmup; round < rounds; round++) {
            for (int r = 0; r < readers.length; r++) {
                Pass pass = read(readers[r], file);
                frames[r] = pass.frames();
                checksums[r] = pass.checksum();
                if (round >= 0) {
                    nanos[r][round] = pass.nanos();
                }
                System.out.printf("%s %-27s %,d frames in %.3f s%n", round < 0 ? "warm-up" : "round " + round, names[r],
                        pass.frames(), pass.nanos() / 1e9);
            }
        }
        if (withPcap4j && (frames[0] != frames[1] || checksums[0] != checksums[1])) {
            throw new IllegalStateException("readers disagree: frames " + Arrays.toString(frames) + ", checksums " + Arrays.toString(checksums));
        }
        System.out.printf("%nfile %s: %,d bytes, %,d frames; median of %d rounds after %d warm-up rounds%n", file, size, frames[0], rounds, warmup);
        double[] medians = new double[readers.length];
        for (int r = 0; r < readers.length; r++) {
            long[] sorted = nanos[r].clone();
            Arrays.sort(sorted);
            double seconds = (rounds % 2 == 1 ? sorted[rounds / 2] : (sorted[rounds / 2 - 1] + sorted[rounds / 2]) / 2.0) / 1e9;
            medians[r] = seconds;
            System.out.printf("RESULT %-27s %.3f s  %,.0f frames/s  %,.1f MB/s of file  (min %.3f s, max %.3f s)%n", names[r], seconds,
                    frames[r] / seconds, size / seconds / 1e6, sorted[0] / 1e9, sorted[rounds - 1] / 1e9);
        }
        if (withPcap4j) {
            System.out.printf("RESULT ratio pcap4j / natshift: %.1fx%n", medians[1] / medians[0]);
        }
        System.out.println();
    }

    static Pass read(Opener opener, Path file) throws IOException {
        long start = System.nanoTime();
        long frames = 0;
        long checksum = 0;
        try (CaptureReader r = opener.open(file)) {
            while (r.next()) {
                frames++;
                byte[] b = r.buffer();
                int end = r.offset() + r.length();
                for (int i = r.offset(); i < end; i += 64) {
                    checksum += b[i];
                }
                checksum += r.timestampMicros() + r.originalLength();
            }
        }
        return new Pass(frames, System.nanoTime() - start, checksum);
    }
}
