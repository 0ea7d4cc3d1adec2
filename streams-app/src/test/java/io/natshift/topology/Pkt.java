package io.natshift.topology;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.Spi;

/** Builds IkePacket records for tests, with the fields the topology reads and sane defaults. */
final class Pkt {
    private String probe = "gw-probe";
    private String vantage = "gateway";
    private String source = "test.pcap";
    private long frame;
    private long millis;
    private String src;
    private int srcPort;
    private String dst;
    private int dstPort;
    private boolean natT;
    private long ispi;
    private long rspi;
    private int version = 1;
    private int exchange;
    private int flags;
    private long messageId;
    private int nextPayload;
    private long length = 300;
    private boolean encrypted;
    private boolean natD;
    private boolean fragment;
    private final List<Integer> notifies = new ArrayList<>();

    static Pkt v1(long frame, long millis, long ispi, long rspi) {
        Pkt p = new Pkt();
        p.frame = frame;
        p.millis = millis;
        p.ispi = ispi;
        p.rspi = rspi;
        return p;
    }

    static Pkt v2(long frame, long millis, long ispi, long rspi) {
        Pkt p = v1(frame, millis, ispi, rspi);
        p.version = 2;
        return p;
    }

    Pkt from(String addr, int port) {
        src = addr;
        srcPort = port;
        return this;
    }

    Pkt to(String addr, int port) {
        dst = addr;
        dstPort = port;
        natT = port == 4500 || srcPort == 4500;
        return this;
    }

    /** IKEv1 aggressive mode message 1 (SA first, cleartext) or 2. */
    Pkt aggressive(int n) {
        exchange = Ike.V1_AGGRESSIVE;
        nextPayload = n < 3 ? Ike.PAYLOAD_SA : 8;
        length = n == 1 ? 400 : n == 2 ? 420 : 92;
        encrypted = n == 3;
        flags = encrypted ? 1 : 0;
        natD = n > 1;
        return this;
    }

    Pkt main(int n) {
        exchange = Ike.V1_MAIN;
        nextPayload = n <= 2 ? Ike.PAYLOAD_SA : n <= 4 ? 4 : 5;
        encrypted = n >= 5;
        flags = encrypted ? 1 : 0;
        length = 100 + n * 20;
        natD = n == 3 || n == 4;
        return this;
    }

    Pkt quick(long id, int n) {
        exchange = Ike.V1_QUICK;
        messageId = id;
        nextPayload = 8;
        encrypted = true;
        flags = 1;
        length = n == 3 ? 60 : 300 + n;
        return this;
    }

    Pkt informational(long id) {
        exchange = Ike.V1_INFORMATIONAL;
        messageId = id;
        nextPayload = 90;
        encrypted = true;
        flags = 1;
        length = 76;
        return this;
    }

    /** IKEv2 message: exchange, message id, from the original initiator or not, response or request. */
    Pkt exchange2(int ex, long id, boolean fromInitiator, boolean response) {
        exchange = ex;
        messageId = id;
        flags = (fromInitiator ? Ike.V2_FLAG_INITIATOR : 0) | (response ? Ike.V2_FLAG_RESPONSE : 0);
        encrypted = ex != Ike.V2_IKE_SA_INIT;
        nextPayload = encrypted ? 46 : 33;
        length = 200 + ex + (response ? 7 : 0) + id;
        natD = ex == Ike.V2_IKE_SA_INIT;
        return this;
    }

    Pkt notify(int type) {
        notifies.add(type);
        return this;
    }

    Pkt length(long l) {
        length = l;
        return this;
    }

    Pkt probe(String id, String v) {
        probe = id;
        vantage = v;
        return this;
    }

    Pkt source(String s) {
        source = s;
        return this;
    }

    Pkt fragment() {
        fragment = true;
        return this;
    }

    long millis() {
        return millis;
    }

    long ispi() {
        return ispi;
    }

    Pkt at(long newMillis) {
        millis = newMillis;
        return this;
    }

    byte[] key() {
        return ByteBuffer.allocate(8).putLong(ispi).array();
    }

    IkePacket build() {
        return IkePacket.newBuilder()
                .setProbeId(probe).setSource(source).setFrame(frame)
                .setTimestampMicros(Instant.ofEpochMilli(millis))
                .setSrcAddr(src).setSrcPort(srcPort).setDstAddr(dst).setDstPort(dstPort).setNatT(natT)
                .setInitiatorSpi(spi(ispi)).setResponderSpi(spi(rspi))
                .setMajorVersion(version).setMinorVersion(0)
                .setExchangeType(exchange).setFlags(flags).setMessageId(messageId)
                .setNextPayload(nextPayload).setLength(length).setEncrypted(encrypted)
                .setPayloads(List.of(nextPayload)).setNotifyTypes(List.copyOf(notifies)).setVendorIds(List.of())
                .setNatDetection(natD).setIpFragment(false).setIkeFragment(fragment)
                .setFrameLength((int) length + 42).setVantage(vantage)
                .build();
    }

    private static Spi spi(long v) {
        return new Spi(ByteBuffer.allocate(8).putLong(v).array());
    }
}
