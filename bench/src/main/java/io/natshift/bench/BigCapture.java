package io.natshift.bench;

import io.natshift.capture.CaptureFiles;
import io.natshift.capture.CaptureReader;
import io.natshift.capture.PcapWriter;
import io.natshift.decode.LinkType;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes a large Ethernet pcap by repeating the real frames of the shared third-party captures,
 * mixing small and large frames so the file has the requested frame count and about the requested
 * size (the reference capture: 754,205 frames, 274 MB). Never committed: generated per run.
 * Also writes the same frames as OUT.pcapng (one section, one interface, EPBs) and OUT.pcap.gz,
 * so the other formats' read costs are measured on identical content.
 * Usage: BigCapture THIRDPARTY_DIR OUT.pcap [FRAMES [BYTES]]
 */
public final class BigCapture {
    private BigCapture() {
    }

    public static void main(String[] args) throws IOException {
        Path thirdParty = Paths.get(args[0]);
        Path out = Paths.get(args[1]);
        long frames = args.length > 2 ? Long.parseLong(args[2]) : 754_205;
        long bytes = args.length > 3 ? Long.parseLong(args[3]) : 274_000_000L;
        write(thirdParty, out, frames, bytes);
        Path ng = Paths.get(out + "ng");
        Path gz = Paths.get(out + ".gz");
        toPcapng(out, ng);
        try (InputStream in = Files.newInputStream(out); OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz), 1 << 16)) {
            in.transferTo(o);
        }
        for (Path p : new Path[] {out, ng, gz}) {
            System.err.printf("wrote %s: %,d frames, %,d bytes%n", p, frames, Files.size(p));
        }
    }

    /** pcapng with the frames of a pcap: SHB, one IDB (microsecond default resolution), one EPB per frame. */
    static void toPcapng(Path pcap, Path pcapng) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        try (CaptureReader r = CaptureFiles.open(pcap); OutputStream o = new BufferedOutputStream(Files.newOutputStream(pcapng), 1 << 16)) {
            b.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L).putInt(28);
            b.putInt(1).putInt(20).putShort((short) LinkType.ETHERNET).putShort((short) 0).putInt(0).putInt(20);
            while (r.next()) {
                int padded = (r.length() + 3) & ~3;
                int total = 32 + padded;
                if (b.remaining() < total) {
                    o.write(b.array(), 0, b.position());
                    b.clear();
                }
                long ts = r.timestampMicros();
                b.putInt(6).putInt(total).putInt(0).putInt((int) (ts >>> 32)).putInt((int) ts)
                        .putInt(r.length()).putInt(r.originalLength()).put(r.buffer(), r.offset(), r.length());
                b.position(b.position() + padded - r.length());
                b.putInt(total);
            }
            o.write(b.array(), 0, b.position());
        }
    }

    static void write(Path thirdParty, Path out, long frames, long bytes) throws IOException {
        long perFrame = (bytes - PcapWriter.GLOBAL_HEADER_SIZE) / frames - PcapWriter.RECORD_HEADER_SIZE;
        List<byte[]> small = new ArrayList<>();
        List<byte[]> large = new ArrayList<>();
        try (Stream<Path> files = Files.list(thirdParty)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().toList()) {
                try (CaptureReader r = CaptureFiles.open(file)) {
                    while (r.next()) {
                        if (r.linkType() == LinkType.ETHERNET) {
                            byte[] frame = java.util.Arrays.copyOfRange(r.buffer(), r.offset(), r.offset() + r.length());
                            (frame.length < perFrame ? small : large).add(frame);
                        }
                    }
                } catch (IOException e) {
                    System.err.println("skipping " + e.getMessage());
                }
            }
        }
        long written = 0;
        try (OutputStream o = Files.newOutputStream(out); PcapWriter w = new PcapWriter(o, LinkType.ETHERNET)) {
            for (long i = 0; i < frames; i++) {
                // Keep the running size on the line from 0 to the requested size.
                boolean wantLarge = written < (i + 1) * perFrame;
                List<byte[]> pool = wantLarge && !large.isEmpty() || small.isEmpty() ? large : small;
                byte[] frame = pool.get((int) (i % pool.size()));
                w.write(1_700_000_000_000_000L + i * 100, frame);
                written += frame.length;
            }
        }
    }
}
