package io.natshift.publish;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import io.natshift.capture.PcapWriter;
import io.natshift.decode.LinkType;
import io.natshift.decode.TestFrames;

/**
 * Writes captures of realistic IKE traffic for tests and benchmarks: per SA, an aggressive-mode
 * first packet on UDP 500, then the NAT-T leg on UDP 4500 (non-ESP marker), plus a NAT keepalive
 * and an ESP-in-UDP packet every so often, each SA with its own initiator SPI.
 */
public final class IkeTraffic {
    /** Frames per SA: AM1 (500), AM3 (4500), keepalive, ESP. Two of them are IKE. */
    public static final int FRAMES_PER_SA = 4;
    public static final int IKE_PER_SA = 2;

    private IkeTraffic() {
    }

    public static long spiOf(int sa) {
        return 0x44A81E8F00000000L ^ (sa * 0x9E3779B97F4A7C15L);
    }

    /**
     * {@code sas} SAs starting at {@code startMicros}, one frame every {@code stepMicros}.
     * Returns the number of IKE packets written.
     */
    public static long write(Path file, int sas, long startMicros, long stepMicros) throws IOException {
        long ts = startMicros;
        long ike = 0;
        try (OutputStream out = Files.newOutputStream(file); PcapWriter w = new PcapWriter(out, LinkType.ETHERNET)) {
            for (int sa = 0; sa < sas; sa++) {
                long spi = spiOf(sa);
                w.write(ts, TestFrames.ethernetIpv4Udp(500, 500, TestFrames.aggressiveModeFirst(spi)));
                ts += stepMicros;
                byte[] am3 = TestFrames.ike(spi, ~spi, 0x10, 4, 0x01, 0, 8, new byte[64]);
                w.write(ts, TestFrames.ethernetIpv4Udp(4500, 4500, TestFrames.natT(am3)));
                ts += stepMicros;
                w.write(ts, TestFrames.ethernetIpv4Udp(4500, 4500, new byte[] {(byte) 0xff}));
                ts += stepMicros;
                byte[] esp = new byte[96];
                esp[0] = 0x12;
                esp[3] = (byte) sa;
                w.write(ts, TestFrames.ethernetIpv4Udp(4500, 4500, esp));
                ts += stepMicros;
                ike += IKE_PER_SA;
            }
        }
        return ike;
    }
}
