package io.natshift.bench;

import static io.natshift.decode.TestFrames.*;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import io.natshift.decode.DecodeResult;
import io.natshift.decode.DecodeStats;
import io.natshift.decode.FrameDecoder;
import io.natshift.decode.LinkType;

/**
 * Decoder throughput on one core over a realistic mix of IKE frames: IKEv1 aggressive mode with
 * SA/KE/Nonce/ID/VID/NAT-D, IKEv2 IKE_SA_INIT with notifies, NAT-T encrypted messages on 4500.
 * Target (issue 2): at least 2 million IKE packets/s. Score is in IKE packets per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class DecoderBenchmark {
    static final int FRAMES = 1024;

    private final FrameDecoder decoder = new FrameDecoder();
    private final DecodeStats stats = new DecodeStats();
    private byte[][] frames;

    @Setup
    public void setUp() {
        frames = mix(FRAMES);
    }

    /** The frame mix, also the source of IkeCodecBenchmark's records. */
    static byte[][] mix(int count) {
        byte[][] frames = new byte[count][];
        for (int i = 0; i < count; i++) {
            long spi = 0x44A81E8F3CE90000L + i * 7919L;
            frames[i] = switch (i % 4) {
                case 0 -> ethernetIpv4Udp(500, 500, aggressiveModeFirst(spi));
                case 1 -> ethernetIpv4Udp(500, 500, ikeSaInit(spi));
                case 2 -> ethernetIpv4Udp(4500, 4500, natT(ike(spi, spi ^ 0x5555, 0x10, 32, 0x01, i, 8, new byte[140])));
                default -> ethernetIpv4Udp(4500, 4500, natT(ike(spi, spi ^ 0x5555, 0x20, 35, 0x08, 1, 46, payload(35, new byte[300]))));
            };
        }
        return frames;
    }

    private static byte[] ikeSaInit(long spi) {
        byte[] natSrc = ByteBuffer.allocate(24).put((byte) 0).put((byte) 0).putShort((short) 16388).array();
        byte[] natDst = ByteBuffer.allocate(24).put((byte) 0).put((byte) 0).putShort((short) 16389).array();
        return ike(spi, 0, 0x20, 34, 0x08, 0, 33,
                payload(34, new byte[44]), payload(40, new byte[260]), payload(41, new byte[32]),
                payload(41, natSrc), payload(43, natDst), payload(0, new byte[16]));
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void decodeMix(Blackhole bh) {
        for (byte[] frame : frames) {
            DecodeResult r = stats.count(decoder.decode(frame, 0, frame.length, LinkType.ETHERNET));
            bh.consume(r);
        }
    }
}
