package io.natshift.topology;

import java.util.ArrayList;
import java.util.List;

/** Packet sequences of the behaviours the topology must get right, shared by the unit and integration tests. */
final class Scenarios {
    static final String GATEWAY = "172.31.1.76";
    static final String POOL_A = "203.0.113.10";
    static final String POOL_B = "203.0.113.77";
    static final int A_PORT = 28815;
    static final int B_PORT = 61204;

    static final long T0 = 1_741_944_414_412L;
    static final long ISPI_1 = 0x1111_2222_3333_4444L;
    static final long ISPI_2 = 0x5555_6666_7777_8888L;
    static final long RSPI_2 = 0x9999_aaaa_bbbb_ccccL;
    static final long SHIFTED_ISPI = 0x44A81E8F3CE968DCL;
    static final long SHIFTED_RSPI = 0xC067353F5DE37295L;
    static final String SHIFTED_SA = "44a81e8f3ce968dc-c067353f5de37295";

    private Scenarios() {
    }

    /** Packets 11-30 of the founding incident as the gateway-side probe sees them (frame = packet number). */
    static List<Pkt> incident() {
        long t = T0;
        long qm = 0x2f1a_33c4L;
        List<Pkt> p = new ArrayList<>();
        p.add(Pkt.v1(11, t, ISPI_1, 0).from(POOL_A, A_PORT).to(GATEWAY, 500).aggressive(1));
        p.add(Pkt.v1(13, t + 1004, ISPI_2, 0).from(POOL_A, A_PORT).to(GATEWAY, 500).aggressive(1));
        p.add(Pkt.v1(15, t + 2008, SHIFTED_ISPI, 0).from(POOL_A, A_PORT).to(GATEWAY, 500).aggressive(1));
        p.add(Pkt.v1(16, t + 2031, ISPI_2, RSPI_2).from(GATEWAY, 500).to(POOL_A, A_PORT).aggressive(2));
        p.add(Pkt.v1(17, t + 2047, SHIFTED_ISPI, SHIFTED_RSPI).from(GATEWAY, 500).to(POOL_A, A_PORT).aggressive(2));
        p.add(Pkt.v1(18, t + 2139, SHIFTED_ISPI, SHIFTED_RSPI).from(POOL_B, B_PORT).to(GATEWAY, 4500).aggressive(3));
        p.add(Pkt.v1(19, t + 2200, SHIFTED_ISPI, SHIFTED_RSPI).from(POOL_B, B_PORT).to(GATEWAY, 4500).quick(qm, 1));
        p.add(Pkt.v1(20, t + 5202, SHIFTED_ISPI, SHIFTED_RSPI).from(POOL_B, B_PORT).to(GATEWAY, 4500).informational(0x101));
        p.add(Pkt.v1(21, t + 5204, SHIFTED_ISPI, SHIFTED_RSPI).from(POOL_B, B_PORT).to(GATEWAY, 4500).informational(0x102));
        p.add(Pkt.v1(24, t + 7031, ISPI_2, RSPI_2).from(GATEWAY, 500).to(POOL_A, A_PORT).aggressive(2));
        p.add(Pkt.v1(25, t + 7047, SHIFTED_ISPI, SHIFTED_RSPI).from(GATEWAY, 500).to(POOL_A, A_PORT).aggressive(2));
        p.add(Pkt.v1(26, t + 7135, SHIFTED_ISPI, SHIFTED_RSPI).from(POOL_B, B_PORT).to(GATEWAY, 4500).aggressive(3));
        p.add(Pkt.v1(27, t + 7194, SHIFTED_ISPI, SHIFTED_RSPI).from(POOL_B, B_PORT).to(GATEWAY, 4500).quick(qm, 1));
        p.add(Pkt.v1(28, t + 10195, SHIFTED_ISPI, SHIFTED_RSPI).from(POOL_B, B_PORT).to(GATEWAY, 4500).informational(0x103));
        p.add(Pkt.v1(29, t + 10197, SHIFTED_ISPI, SHIFTED_RSPI).from(POOL_B, B_PORT).to(GATEWAY, 4500).informational(0x104));
        p.add(Pkt.v1(30, t + 10200, SHIFTED_ISPI, SHIFTED_RSPI).from(POOL_B, B_PORT).to(GATEWAY, 4500).informational(0x105));
        return p;
    }

    /**
     * One IKEv1 aggressive + quick mode subscriber starting at {@code t}: float from {@code before}
     * to {@code after} (same address = paired NAT, different = shift); a shifted SA is never answered
     * on 4500, as in the incident; a paired one completes.
     */
    static List<Pkt> aggressiveSubscriber(long ispi, long rspi, long t, String before, int beforePort, String after,
                                          int afterPort, String gateway) {
        List<Pkt> p = new ArrayList<>();
        boolean shifted = !before.equals(after);
        p.add(Pkt.v1(1, t, ispi, 0).from(before, beforePort).to(gateway, 500).aggressive(1));
        p.add(Pkt.v1(2, t + 30, ispi, rspi).from(gateway, 500).to(before, beforePort).aggressive(2));
        p.add(Pkt.v1(3, t + 60, ispi, rspi).from(after, afterPort).to(gateway, 4500).aggressive(3));
        p.add(Pkt.v1(4, t + 70, ispi, rspi).from(after, afterPort).to(gateway, 4500).quick(7, 1));
        if (shifted) {
            p.add(Pkt.v1(5, t + 5030, ispi, rspi).from(gateway, 500).to(before, beforePort).aggressive(2));
            p.add(Pkt.v1(6, t + 3070, ispi, rspi).from(after, afterPort).to(gateway, 4500).informational(9));
        } else {
            p.add(Pkt.v1(5, t + 100, ispi, rspi).from(gateway, 4500).to(after, afterPort).quick(7, 2));
            p.add(Pkt.v1(6, t + 130, ispi, rspi).from(after, afterPort).to(gateway, 4500).quick(7, 3));
        }
        return p;
    }

    /** IKEv2 negotiation whose IKE_AUTH floats from {@code before} to {@code after}; the responder answers at {@code after}. */
    static List<Pkt> ikev2(long ispi, long rspi, long t, String before, String after) {
        List<Pkt> p = new ArrayList<>();
        p.add(Pkt.v2(1, t, ispi, 0).from(before, 500).to(GATEWAY, 500).exchange2(Ike.V2_IKE_SA_INIT, 0, true, false));
        p.add(Pkt.v2(2, t + 40, ispi, rspi).from(GATEWAY, 500).to(before, 500).exchange2(Ike.V2_IKE_SA_INIT, 0, false, true));
        p.add(Pkt.v2(3, t + 80, ispi, rspi).from(after, 4500).to(GATEWAY, 4500).exchange2(Ike.V2_IKE_AUTH, 1, true, false));
        p.add(Pkt.v2(4, t + 150, ispi, rspi).from(GATEWAY, 4500).to(after, 4500).exchange2(Ike.V2_IKE_AUTH, 1, false, true));
        return p;
    }
}
