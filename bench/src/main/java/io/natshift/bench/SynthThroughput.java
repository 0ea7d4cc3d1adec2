package io.natshift.bench;

import io.natshift.capture.PcapWriter;
import io.natshift.decode.LinkType;
import io.natshift.synth.SynthGenerator;
import io.natshift.synth.SynthOptions;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Generation speed of {@code natshift synth} (issue 4: at least 1 million packets/s written), in one
 * JVM: rounds of the full generator (sessions, IKE messages, NAT model, truth) writing a capture,
 * alternating with the reference, PcapWriter alone writing the same number of frames of the same
 * mean size (the file-writing ceiling on this machine). Medians after a warm-up.
 * Usage: SynthThroughput DIR ROUNDS WARMUP SUBSCRIBERS DURATION_S ESP_RATE
 */
public final class SynthThroughput {
    private SynthThroughput() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        SynthOptions options = SynthOptions.builder()
                .subscribers(Integer.parseInt(args[3]))
                .durationMicros(Long.parseLong(args[4]) * 1_000_000L)
                .espPacketsPerSecond(Double.parseDouble(args[5]))
                .seed(42)
                .build();
        Path out = dir.resolve("synth-throughput.pcap");
        Path reference = dir.resolve("synth-throughput-reference.pcap");
        long[] synthNanos = new long[rounds];
        long[] referenceNanos = new long[rounds];
        long packets = 0;
        long bytes = 0;
        try {
            for (int round = -warmup; round < rounds; round++) {
                long start = System.nanoTime();
                SynthGenerator.Summary s = new SynthGenerator(options).generate(out, null);
                long synth = System.nanoTime() - start;
                packets = s.outsideFrames();
                bytes = Files.size(out);
                long ref = writeReference(reference, packets, (int) ((bytes - 24) / packets - 16));
                if (round >= 0) {
                    synthNanos[round] = synth;
                    referenceNanos[round] = ref;
                }
                System.out.printf("%s synth %,d packets in %.3f s; reference %.3f s%n",
                        round < 0 ? "warm-up" : "round " + round, packets, synth / 1e9, ref / 1e9);
            }
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(reference);
            Files.deleteIfExists(dir.resolve("synth-throughput.truth.json"));
        }
        double synth = median(synthNanos) / 1e9;
        double ref = median(referenceNanos) / 1e9;
        System.out.printf("%n%,d subscribers, %s s, ESP %s/s per SA and direction: %,d packets, %,d bytes; median of %d rounds after %d warm-up%n",
                options.subscribers(), args[4], args[5], packets, bytes, rounds, warmup);
        System.out.printf("RESULT natshift synth           %.3f s  %,.0f packets/s  %,.1f MB/s%n", synth, packets / synth, bytes / synth / 1e6);
        System.out.printf("RESULT PcapWriter alone (ref.)  %.3f s  %,.0f packets/s%n", ref, packets / ref);
        System.out.printf("RESULT synth / reference time: %.2fx%n", synth / ref);
    }

    /** The same number of frames of the same mean size, prebuilt, through PcapWriter only. */
    static long writeReference(Path file, long packets, int frameSize) throws IOException {
        byte[][] frames = new byte[64][];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < frames.length; i++) {
            frames[i] = new byte[frameSize];
            r.nextBytes(frames[i]);
        }
        long start = System.nanoTime();
        try (OutputStream o = Files.newOutputStream(file); PcapWriter w = new PcapWriter(o, LinkType.ETHERNET)) {
            long t = 1_767_225_600_000_000L;
            for (long i = 0; i < packets; i++) {
                w.write(t + i, frames[(int) (i & 63)]);
            }
        }
        return System.nanoTime() - start;
    }

    static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
}
