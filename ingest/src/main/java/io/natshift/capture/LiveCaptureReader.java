package io.natshift.capture;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live capture of one interface through libpcap (pcap4j), as a {@link CaptureReader}. A capture
 * thread reads packets (immediate mode) and hands copies to the consumer
 * through a queue bounded in frames and bytes. When the consumer (Kafka) is slow or away, the
 * capture thread never blocks: frames that do not fit are dropped, counted, and the count is
 * logged once a second. libpcap's own counters (ps_drop: kernel buffer full, ps_ifdrop: dropped
 * by the interface) are read every second and at the end.
 */
public final class LiveCaptureReader implements CaptureReader {
    private static final Logger LOG = LoggerFactory.getLogger(LiveCaptureReader.class);

    /** IKE, NAT-T (IKE, ESP, keepalives) and every non-first IPv4 fragment (the rest of fragmented IKE). */
    public static final String DEFAULT_FILTER = "udp port 500 or udp port 4500 or (ip[6:2] & 0x1fff != 0)";
    /** Whole frames: IKE messages with certificate chains run to several kB, and fragments to the MTU. */
    public static final int SNAPLEN = 65535;
    static final int READ_TIMEOUT_MS = 100;
    static final int KERNEL_BUFFER_BYTES = 16 << 20;

    public enum Poll { FRAME, IDLE, END }

    /** Bounds of the queue between the capture thread and the consumer. */
    public record Limits(int frames, long bytes) {
        public static final Limits DEFAULT = new Limits(100_000, 64L << 20);
    }

    private record Frame(long number, long micros, byte[] data, int originalLength) {
    }

    private final String interfaceName;
    private final PcapHandle handle;
    private final int linkType;
    private final BlockingQueue<Frame> queue;
    private final long maxQueuedBytes;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong captured = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean finished;
    private volatile long lastCaptureMicros;
    private volatile long psDrop;
    private volatile long psIfDrop;
    private volatile String error;
    private Frame current;

    private LiveCaptureReader(String interfaceName, PcapHandle handle, Limits limits) {
        this.interfaceName = interfaceName;
        this.handle = handle;
        this.linkType = handle.getDlt().value();
        this.queue = new ArrayBlockingQueue<>(limits.frames());
        this.maxQueuedBytes = limits.bytes();
        this.thread = new Thread(this::captureLoop, "natshift-capture-" + interfaceName);
        this.thread.setDaemon(true);
    }

    /** Opens {@code interfaceName} and starts capturing; {@code promiscuous} for a mirror port or tap (traffic not addressed to this host). */
    public static LiveCaptureReader open(String interfaceName, String filter, boolean promiscuous, Limits limits) throws IOException {
        PcapHandle handle;
        try {
            handle = new PcapHandle.Builder(interfaceName)
                    .snaplen(SNAPLEN)
                    .promiscuousMode(promiscuous ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(READ_TIMEOUT_MS)
                    .immediateMode(true)
                    .bufferSize(KERNEL_BUFFER_BYTES)
                    .build();
        } catch (PcapNativeException e) {
            throw new IOException("cannot capture on " + interfaceName + ": " + e.getMessage()
                    + " (needs root or CAP_NET_RAW, see docs/probe.md)", e);
        }
        try {
            handle.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException | NotOpenException e) {
            handle.close();
            throw new IOException("--filter '" + filter + "' on " + interfaceName + ": " + e.getMessage(), e);
        }
        LiveCaptureReader reader = new LiveCaptureReader(interfaceName, handle, limits);
        reader.thread.start();
        return reader;
    }

    private void captureLoop() {
        long nextStatsNanos = System.nanoTime() + 1_000_000_000L;
        long droppedLogged = 0;
        try {
            while (running) {
                byte[] raw = handle.getNextRawPacket();
                if (raw != null) {
                    long n = captured.incrementAndGet();
                    long micros = micros(handle.getTimestamp());
                    lastCaptureMicros = micros;
                    Integer orig = handle.getOriginalLength();
                    Frame f = new Frame(n, micros, raw, orig == null ? raw.length : orig);
                    if (queuedBytes.get() + raw.length > maxQueuedBytes || !queue.offer(f)) {
                        dropped.incrementAndGet();
                    } else {
                        queuedBytes.addAndGet(raw.length);
                    }
                }
                if (System.nanoTime() >= nextStatsNanos) {
                    nextStatsNanos = System.nanoTime() + 1_000_000_000L;
                    readStats();
                    long d = dropped.get();
                    if (d > droppedLogged) {
                        LOG.warn("{}: queue to Kafka full, dropped {} frames in the last second ({} in all)", interfaceName, d - droppedLogged, d);
                        droppedLogged = d;
                    }
                }
            }
            readStats();
        } catch (NotOpenException | RuntimeException e) {
            error = interfaceName + ": capture stopped: " + e;
            LOG.error("{}", error);
        } finally {
            finished = true;
            handle.close();
        }
    }

    private void readStats() {
        try {
            PcapStat s = handle.getStats();
            psDrop = s.getNumPacketsDropped();
            psIfDrop = s.getNumPacketsDroppedByIf();
        } catch (PcapNativeException | NotOpenException e) {
            LOG.debug("{}: no libpcap statistics: {}", interfaceName, e.getMessage());
        }
    }

    private static long micros(java.sql.Timestamp ts) {
        return Math.floorDiv(ts.getTime(), 1000L) * 1_000_000L + ts.getNanos() / 1000;
    }

    /** Stops capturing (from any thread, e.g. a signal handler); frames already queued are still returned. */
    public void stop() {
        running = false;
        // libpcap's read timeout does not fire on a quiet Linux interface (TPACKET_V3 blocks until a
        // packet); pcap_breakloop wakes the blocked read
        try {
            handle.breakLoop();
        } catch (NotOpenException alreadyClosed) {
            // the capture thread has finished
        }
    }

    /** Waits up to {@code timeoutMillis} for a frame: FRAME (now current), IDLE (none yet), END (stopped and drained). */
    public Poll poll(long timeoutMillis) throws InterruptedException {
        Frame f = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (f != null) {
            queuedBytes.addAndGet(-f.data.length);
            current = f;
            return Poll.FRAME;
        }
        return finished && queue.isEmpty() ? Poll.END : Poll.IDLE;
    }

    @Override
    public boolean next() throws IOException {
        try {
            Poll p;
            while ((p = poll(READ_TIMEOUT_MS)) == Poll.IDLE) {
                // wait for a frame or the end
            }
            return p == Poll.FRAME;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted reading " + interfaceName, e);
        }
    }

    /**
     * The live capture clock: the host clock libpcap stamps packets with, never behind the last
     * packet's stamp. Drives heartbeats while the interface is quiet.
     */
    public long clockMicros() {
        return Math.max(lastCaptureMicros, System.currentTimeMillis() * 1000L);
    }

    /** Frames libpcap delivered (after the BPF filter). */
    public long captured() {
        return captured.get();
    }

    /** Frames dropped because the queue to the consumer was full. */
    public long queueDrops() {
        return dropped.get();
    }

    /** libpcap ps_drop: dropped because the kernel buffer was full. */
    public long kernelDrops() {
        return psDrop;
    }

    /** libpcap ps_ifdrop: dropped by the interface or its driver. */
    public long interfaceDrops() {
        return psIfDrop;
    }

    /** Why the capture thread stopped by itself, if it did. */
    public String error() {
        return error;
    }

    private Frame cur() {
        if (current == null) {
            throw new IllegalStateException("no current frame");
        }
        return current;
    }

    @Override
    public long frameNumber() {
        return cur().number;
    }

    @Override
    public long timestampMicros() {
        return cur().micros;
    }

    @Override
    public int linkType() {
        return linkType;
    }

    @Override
    public byte[] buffer() {
        return cur().data;
    }

    @Override
    public int offset() {
        return 0;
    }

    @Override
    public int length() {
        return cur().data.length;
    }

    @Override
    public int originalLength() {
        return cur().originalLength;
    }

    @Override
    public String source() {
        return interfaceName;
    }

    @Override
    public long bytesRead() {
        return 0;
    }

    @Override
    public long totalBytes() {
        return -1;
    }

    @Override
    public void close() throws IOException {
        stop();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
