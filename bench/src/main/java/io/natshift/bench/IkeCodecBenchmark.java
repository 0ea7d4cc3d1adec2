package io.natshift.bench;

import java.util.List;
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
import io.natshift.decode.FrameDecoder;
import io.natshift.decode.IkeMessage;
import io.natshift.decode.LinkType;
import io.natshift.publish.IkeRecords;
import io.natshift.schemas.Serdes;
import io.natshift.schemas.SingleObjectSerde;
import io.natshift.schemas.avro.IkePacket;

/**
 * IkePacket single-object encoding and decoding, Avro's generic SpecificDatumWriter/Reader path
 * ("avro") against the hand-written codec that Serdes.ikePacket() uses ("codec"), on the records
 * the probe makes of DecoderBenchmark's frame mix. Score: ns per record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// long warm-up iterations: on the shared 2-core host C2 takes several seconds to compile the codec
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class IkeCodecBenchmark {
    static final int RECORDS = 1024;

    // no history: it only matters for records of older writer schemas, and these are all current
    private final SingleObjectSerde<IkePacket> avro = new SingleObjectSerde<>(IkePacket.getClassSchema(), List.of());
    private final SingleObjectSerde<IkePacket> codec = Serdes.ikePacket();
    private IkePacket[] records;
    private byte[][] encoded;

    @Setup
    public void setUp() {
        byte[][] frames = DecoderBenchmark.mix(RECORDS);
        FrameDecoder decoder = new FrameDecoder();
        records = new IkePacket[RECORDS];
        encoded = new byte[RECORDS][];
        for (int i = 0; i < RECORDS; i++) {
            DecodeResult r = decoder.decode(frames[i], 0, frames[i].length, LinkType.ETHERNET);
            if (!(r instanceof IkeMessage m)) {
                throw new IllegalStateException("frame " + i + " did not decode: " + r);
            }
            records[i] = IkeRecords.toAvro(m, "probe-gw-1", "/captures/ike-2026-11-28.pcap", i + 1L, 1_764_300_000_000_000L + i * 137L);
            records[i].setVantage("outside");
            encoded[i] = avro.encode(records[i]);
            if (!java.util.Arrays.equals(encoded[i], codec.encode(records[i]))) {
                throw new IllegalStateException("codec and Avro bytes differ for record " + i);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void encodeAvro(Blackhole bh) {
        for (IkePacket p : records) {
            bh.consume(avro.encode(p));
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void encodeCodec(Blackhole bh) {
        for (IkePacket p : records) {
            bh.consume(codec.encode(p));
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void decodeAvro(Blackhole bh) {
        for (byte[] b : encoded) {
            bh.consume(avro.decode(b));
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void decodeCodec(Blackhole bh) {
        for (byte[] b : encoded) {
            bh.consume(codec.decode(b));
        }
    }
}
