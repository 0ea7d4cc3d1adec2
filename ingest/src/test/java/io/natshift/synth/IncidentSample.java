package io.natshift.synth;

import io.natshift.capture.PcapWriter;
import io.natshift.decode.LinkType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes samples/incident-gateway-side.pcap: packets 1-30 of the founding incident
 * (../shared/docs/incident.md) as a probe behind the load balancer sees them, so frame N of the file
 * is packet N of the incident. Gateway 172.31.1.76 (the address behind the F5, as in the report);
 * carrier NAT pool addresses from RFC 5737: A carries UDP 500 and the UDP 2012 announcements, B the
 * UDP 4500 flow of the same IKE SA, C the TCP 2012 registration (each a new connection to an
 * "arbitrary" pool). Run {@code main} to regenerate; {@link IncidentSampleTest} checks the committed
 * file is what this writes.
 */
public final class IncidentSample {
    public static final Path DEFAULT_OUT = Path.of("samples", "incident-gateway-side.pcap");

    public static final long SHIFTED_INITIATOR_SPI = 0x44A81E8F3CE968DCL;
    public static final long SHIFTED_RESPONDER_SPI = 0xC067353F5DE37295L;
    public static final Endpoint GATEWAY_500 = Endpoint.of("172.31.1.76", 500);
    public static final Endpoint GATEWAY_4500 = Endpoint.of("172.31.1.76", 4500);
    public static final Endpoint POOL_A_500 = Endpoint.of("203.0.113.10", 28815);
    public static final Endpoint POOL_B_4500 = Endpoint.of("203.0.113.77", 61204);
    static final Endpoint POOL_A_2012 = Endpoint.of("203.0.113.10", 50112);
    static final Endpoint POOL_C_TCP = Endpoint.of("203.0.113.140", 41233);
    static final Endpoint GATEWAY_2012 = Endpoint.of("172.31.1.76", 2012);

    /** Next payload of the client's encrypted error notifications: a value no RFC assigns (Wireshark: "Unassigned (90)"). */
    public static final int UNKNOWN_NEXT_PAYLOAD = 90;

    static final long START_MICROS = 1_741_944_413_000_000L; // 2025-03-14T09:26:53Z
    static final int TTL_FROM_INTERNET = 51;
    static final int TTL_LOCAL = 64;

    private final SplittableRandom random = new SplittableRandom(20250314L);
    private final Frames frames = new Frames();
    private final ByteSink ike = new ByteSink(1024);
    private final IkeV1Messages v1 = new IkeV1Messages(ike);
    private final ByteSink udp = new ByteSink(1024);
    private PcapWriter out;

    public static void main(String[] args) throws IOException {
        Path target = args.length > 0 ? Path.of(args[0]) : DEFAULT_OUT;
        Files.createDirectories(target.toAbsolutePath().getParent());
        try (OutputStream o = Files.newOutputStream(target)) {
            new IncidentSample().write(o);
        }
        System.err.println("wrote " + target);
    }

    public void write(OutputStream o) throws IOException {
        out = new PcapWriter(o, LinkType.ETHERNET);
        registration(START_MICROS);                                            // 1-10

        long ispi1 = random.nextLong();
        long ispi2 = random.nextLong();
        long rspi2 = random.nextLong();
        DhGroup group = DhGroup.MODP_1024;
        String client = "user0417@vpn.example.com";
        String gateway = "gw1.example.com";

        long t = START_MICROS + 1_412_000;
        byte[] am1a = aggressive1(ispi1, group, client);
        ikeUdp(t, POOL_A_500, GATEWAY_500, am1a, TTL_FROM_INTERNET);           // 11: attempt 1
        announcement(t + 38_000, POOL_A_2012, GATEWAY_2012, TTL_FROM_INTERNET);  // 12
        byte[] am1b = aggressive1(ispi2, group, client);
        ikeUdp(t + 1_004_000, POOL_A_500, GATEWAY_500, am1b, TTL_FROM_INTERNET);   // 13: attempt 2
        announcement(t + 1_046_000, GATEWAY_2012, POOL_A_2012, TTL_LOCAL);         // 14
        byte[] am1c = aggressive1(SHIFTED_INITIATOR_SPI, group, client);
        ikeUdp(t + 2_008_000, POOL_A_500, GATEWAY_500, am1c, TTL_FROM_INTERNET);   // 15: attempt 3
        byte[] am2b = aggressive2(ispi2, rspi2, group, gateway);
        ikeUdp(t + 2_031_000, GATEWAY_500, POOL_A_500, am2b, TTL_LOCAL);           // 16: reply to 13
        byte[] am2c = aggressive2(SHIFTED_INITIATOR_SPI, SHIFTED_RESPONDER_SPI, group, gateway);
        ikeUdp(t + 2_047_000, GATEWAY_500, POOL_A_500, am2c, TTL_LOCAL);           // 17: reply to 15

        // The float: aggressive mode 3 and quick mode 1 leave the NAT from pool address B.
        byte[] am3 = encrypted(SHIFTED_INITIATOR_SPI, SHIFTED_RESPONDER_SPI, IkeV1Messages.AGGRESSIVE, 0,
                IkeV1Messages.NAT_D, 5);
        long qmId = random.nextLong() & 0xFFFFFFFFL;
        byte[] qm1 = encrypted(SHIFTED_INITIATOR_SPI, SHIFTED_RESPONDER_SPI, IkeV1Messages.QUICK, qmId,
                IkeV1Messages.HASH, 19);
        long t18 = t + 2_139_000;
        natT(t18, POOL_B_4500, GATEWAY_4500, am3);                                 // 18
        natT(t18 + 61_000, POOL_B_4500, GATEWAY_4500, qm1);                        // 19
        long t20 = t18 + 61_000 + 3_002_000;                                       // ~3 s client timeout
        natT(t20, POOL_B_4500, GATEWAY_4500, errorNotification());                 // 20
        natT(t20 + 2_000, POOL_B_4500, GATEWAY_4500, errorNotification());         // 21
        announcement(t20 + 410_000, POOL_A_2012, GATEWAY_2012, TTL_FROM_INTERNET);  // 22
        announcement(t20 + 452_000, GATEWAY_2012, POOL_A_2012, TTL_LOCAL);          // 23
        // The gateway's own retransmission timer, about 5 s after its replies: same bytes, to A.
        ikeUdp(t + 2_031_000 + 5_000_000, GATEWAY_500, POOL_A_500, am2b, TTL_LOCAL);  // 24
        ikeUdp(t + 2_047_000 + 5_000_000, GATEWAY_500, POOL_A_500, am2c, TTL_LOCAL);  // 25
        long t26 = t + 2_047_000 + 5_000_000 + 88_000;
        natT(t26, POOL_B_4500, GATEWAY_4500, am3);                                 // 26: as 18
        natT(t26 + 59_000, POOL_B_4500, GATEWAY_4500, qm1);                        // 27: as 19
        long t28 = t26 + 59_000 + 3_001_000;
        natT(t28, POOL_B_4500, GATEWAY_4500, errorNotification());                 // 28
        natT(t28 + 2_000, POOL_B_4500, GATEWAY_4500, errorNotification());         // 29
        natT(t28 + 5_000, POOL_B_4500, GATEWAY_4500, errorNotification());         // 30
        out.flush();
    }

    private byte[] aggressive1(long ispi, DhGroup group, String identity) {
        ike.clear();
        v1.aggressive1(random, ispi, group, identity);
        return ike.toByteArray();
    }

    private byte[] aggressive2(long ispi, long rspi, DhGroup group, String identity) {
        ike.clear();
        v1.aggressive2(random, ispi, rspi, group, identity, POOL_A_500, GATEWAY_500);
        return ike.toByteArray();
    }

    private byte[] encrypted(long ispi, long rspi, int exchange, long messageId, int nextPayload, int blocks) {
        ike.clear();
        v1.encrypted(random, ispi, rspi, exchange, messageId, nextPayload, blocks);
        return ike.toByteArray();
    }

    private byte[] errorNotification() {
        return encrypted(SHIFTED_INITIATOR_SPI, SHIFTED_RESPONDER_SPI, IkeV1Messages.INFORMATIONAL,
                random.nextLong() & 0xFFFFFFFFL, UNKNOWN_NEXT_PAYLOAD, 5);
    }

    private void ikeUdp(long t, Endpoint src, Endpoint dst, byte[] message, int ttl) throws IOException {
        frames.udp(src, dst, ttl, message, 0, message.length);
        out.write(t, frames.frame(), 0, frames.length());
    }

    private void natT(long t, Endpoint src, Endpoint dst, byte[] message) throws IOException {
        udp.clear();
        udp.u32(0).bytes(message);                      // RFC 3948 2.2 non-ESP marker
        frames.udp(src, dst, TTL_FROM_INTERNET, udp.array(), 0, udp.size());
        out.write(t, frames.frame(), 0, frames.length());
    }

    private void announcement(long t, Endpoint src, Endpoint dst, int ttl) throws IOException {
        udp.clear();
        udp.random(random, 48);
        frames.udp(src, dst, ttl, udp.array(), 0, udp.size());
        out.write(t, frames.frame(), 0, frames.length());
    }

    /** TCP 2012 registration: handshake, request, response, teardown (10 packets). */
    private void registration(long t) throws IOException {
        Endpoint c = POOL_C_TCP;
        Endpoint g = GATEWAY_2012;
        long cs = random.nextLong() & 0xFFFFFFFFL;
        long gs = random.nextLong() & 0xFFFFFFFFL;
        byte[] request = new byte[212];
        byte[] response = new byte[148];
        fill(request);
        fill(response);
        tcp(t, c, g, TTL_FROM_INTERNET, cs, 0, Frames.TCP_SYN, null);
        tcp(t + 41_000, g, c, TTL_LOCAL, gs, cs + 1, Frames.TCP_SYN | Frames.TCP_ACK, null);
        tcp(t + 83_000, c, g, TTL_FROM_INTERNET, cs + 1, gs + 1, Frames.TCP_ACK, null);
        tcp(t + 85_000, c, g, TTL_FROM_INTERNET, cs + 1, gs + 1, Frames.TCP_PSH | Frames.TCP_ACK, request);
        tcp(t + 126_000, g, c, TTL_LOCAL, gs + 1, cs + 1 + request.length, Frames.TCP_ACK, null);
        tcp(t + 131_000, g, c, TTL_LOCAL, gs + 1, cs + 1 + request.length, Frames.TCP_PSH | Frames.TCP_ACK, response);
        tcp(t + 172_000, c, g, TTL_FROM_INTERNET, cs + 1 + request.length, gs + 1 + response.length, Frames.TCP_ACK, null);
        tcp(t + 180_000, c, g, TTL_FROM_INTERNET, cs + 1 + request.length, gs + 1 + response.length,
                Frames.TCP_FIN | Frames.TCP_ACK, null);
        tcp(t + 221_000, g, c, TTL_LOCAL, gs + 1 + response.length, cs + 2 + request.length,
                Frames.TCP_FIN | Frames.TCP_ACK, null);
        tcp(t + 262_000, c, g, TTL_FROM_INTERNET, cs + 2 + request.length, gs + 2 + response.length, Frames.TCP_ACK, null);
    }

    private void fill(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
    }

    private void tcp(long t, Endpoint src, Endpoint dst, int ttl, long seq, long ack, int flags, byte[] data)
            throws IOException {
        byte[] d = data == null ? new byte[0] : data;
        frames.tcp(src, dst, ttl, seq & 0xFFFFFFFFL, ack & 0xFFFFFFFFL, flags, d, 0, d.length);
        out.write(t, frames.frame(), 0, frames.length());
    }
}
