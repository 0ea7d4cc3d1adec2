package io.natshift.synth;

import io.natshift.capture.PcapWriter;
import io.natshift.decode.RejectReason;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * One probe's capture file. Frames of the gateway-side probe arrive in time order and are written
 * at once (their frame numbers are evidence in the truth); the inside probe sees client packets a
 * latency earlier and gateway packets a latency later, so its frames pass a small reorder buffer
 * (bounded by the packets of one maximum latency). Without a file the writer only counts, so the
 * truth still knows the frame numbers a gateway-side probe would have given.
 */
final class VantageWriter implements Closeable {
    /** Upper bound of the one-way latency between the probes, which bounds the reorder buffer. */
    static final long MAX_LATENCY_MICROS = 100_000L;
    static final int MAX_LISTED_MALFORMED = 1_000_000;

    private record Held(long time, long sequence, byte[] frame, RejectReason malformed) {
    }

    final String vantage;
    private final PcapWriter pcap;
    private final boolean reorder;
    private final PriorityQueue<Held> held = new PriorityQueue<>(
            (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.sequence, b.sequence));
    private long sequence;
    /** Most frames the reorder buffer held at once. */
    int maxHeld;
    private long frames;
    private long lastWritten = Long.MIN_VALUE;
    final Map<RejectReason, Long> malformedByReason = new EnumMap<>(RejectReason.class);
    final List<Long> malformedFrames = new ArrayList<>();
    long malformedCount;

    VantageWriter(String vantage, PcapWriter pcap, boolean reorder) {
        this.vantage = vantage;
        this.pcap = pcap;
        this.reorder = reorder;
    }

    boolean writesFile() {
        return pcap != null;
    }

    long frames() {
        return frames;
    }

    /** Writes (or holds) a frame; returns its frame number when written at once, else -1. */
    long write(long time, byte[] frame, int length, RejectReason malformed) throws IOException {
        if (reorder) {
            held.add(new Held(time, sequence++, java.util.Arrays.copyOf(frame, length), malformed));
            maxHeld = Math.max(maxHeld, held.size());
            return -1;
        }
        return emit(time, frame, 0, length, malformed);
    }

    /** Writes every held frame stamped at or before {@code time}: later frames cannot precede them. */
    void flushUpTo(long time) throws IOException {
        while (!held.isEmpty() && held.peek().time <= time) {
            Held h = held.poll();
            emit(h.time, h.frame, 0, h.frame.length, h.malformed);
        }
    }

    private long emit(long time, byte[] frame, int offset, int length, RejectReason malformed) throws IOException {
        if (time < lastWritten) {
            throw new IllegalStateException(vantage + " frame at " + time + " after " + lastWritten);
        }
        lastWritten = time;
        long number = ++frames;
        if (pcap != null) {
            pcap.write(time, frame, offset, length);
        }
        if (malformed != null) {
            malformedCount++;
            malformedByReason.merge(malformed, 1L, Long::sum);
            if (malformedFrames.size() < MAX_LISTED_MALFORMED) {
                malformedFrames.add(number);
            }
        }
        return number;
    }

    @Override
    public void close() throws IOException {
        flushUpTo(Long.MAX_VALUE);
        if (pcap != null) {
            pcap.close();
        }
    }
}
