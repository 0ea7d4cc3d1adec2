package io.natshift.synth;

import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * IKEv1 messages (RFC 2408 ISAKMP payloads, RFC 2409 exchanges, RFC 3947 NAT-T) written into a
 * {@link ByteSink}. Cleartext messages carry real payload structures; messages sent after the keys
 * exist (E flag) carry an opaque body of whole AES blocks, as a probe without keys sees them.
 */
public final class IkeV1Messages {
    static final int VERSION = 0x10;
    public static final int FLAG_ENCRYPTION = 0x01;

    // RFC 2408 3.1 payload types, RFC 3947 3.2 NAT-D
    public static final int SA = 1;
    static final int PROPOSAL = 2;
    static final int TRANSFORM = 3;
    public static final int KE = 4;
    public static final int ID = 5;
    public static final int HASH = 8;
    public static final int NONCE = 10;
    public static final int NOTIFICATION = 11;
    public static final int VENDOR_ID = 13;
    public static final int NAT_D = 20;

    // RFC 2408 3.1 / RFC 2409 exchange types
    public static final int MAIN = 2;
    public static final int AGGRESSIVE = 4;
    public static final int INFORMATIONAL = 5;
    public static final int QUICK = 32;

    static final int DOI_IPSEC = 1;
    static final int SIT_IDENTITY_ONLY = 1;
    static final int PROTO_ISAKMP = 1;
    static final int KEY_IKE = 1;
    static final int ID_FQDN = 2;
    static final int ID_USER_FQDN = 3;

    // RFC 2409 Appendix A phase 1 attributes (TV form: AF bit set)
    static final int ATTR_ENCRYPTION = 1;
    static final int ATTR_HASH = 2;
    static final int ATTR_AUTH = 3;
    static final int ATTR_GROUP = 4;
    static final int ATTR_LIFE_TYPE = 11;
    static final int ATTR_LIFE_DURATION = 12;
    static final int ATTR_KEY_LENGTH = 14;
    static final int ENCR_AES_CBC = 7;
    static final int HASH_SHA = 2;
    static final int AUTH_PSK = 1;
    static final int AUTH_XAUTH_INIT_PSK = 65001;
    static final int LIFE_SECONDS = 1;

    static final int AES_BLOCK = 16;

    public static final byte[] VID_RFC3947 = HexFormat.of().parseHex("4a131c81070358455c5728f20e95452f");
    static final byte[] VID_NAT_T_DRAFT_02 = HexFormat.of().parseHex("90cb80913ebb696e086381b5ec427b1f");
    static final byte[] VID_DPD = HexFormat.of().parseHex("afcad71368a1f1c96b8696fc77570100");
    static final byte[] VID_XAUTH = HexFormat.of().parseHex("09002689dfd6b712");
    static final byte[] VID_CISCO_UNITY = HexFormat.of().parseHex("12f5f28c457168a9702d9fe274cc0100");
    static final byte[] VID_STRONGSWAN = HexFormat.of().parseHex("882fe56d6fd20dbc2251613b2ebe5beb");

    private final IkeWriter w;
    private final NatDetection natDetection = new NatDetection();

    public IkeV1Messages(ByteSink sink) {
        this.w = new IkeWriter(sink);
    }

    /** Aggressive mode 1 (RFC 2409 5, RFC 3947 3.1): HDR, SA, KE, Ni, IDii, VID (NAT-T, DPD, XAUTH). */
    public void aggressive1(RandomGenerator r, long initiatorSpi, DhGroup group, String identity) {
        w.header(initiatorSpi, 0, VERSION, AGGRESSIVE, 0, 0);
        sa(group, AUTH_XAUTH_INIT_PSK);
        ke(r, group);
        nonce(r, 20);
        id(ID_USER_FQDN, identity);
        vendorId(VID_RFC3947);
        vendorId(VID_NAT_T_DRAFT_02);
        vendorId(VID_XAUTH);
        vendorId(VID_DPD);
        w.finish();
    }

    /**
     * Aggressive mode 2 (RFC 3947 3.2): HDR, SA, KE, Nr, IDir, VID, NAT-D, NAT-D, HASH_R.
     * The first NAT-D hashes the initiator as the responder sees it (the packet's source), the second
     * the responder's own address.
     */
    public void aggressive2(RandomGenerator r, long initiatorSpi, long responderSpi, DhGroup group, String identity,
                            Endpoint initiatorAsSeen, Endpoint responder) {
        w.header(initiatorSpi, responderSpi, VERSION, AGGRESSIVE, 0, 0);
        sa(group, AUTH_XAUTH_INIT_PSK);
        ke(r, group);
        nonce(r, 20);
        id(ID_FQDN, identity);
        vendorId(VID_RFC3947);
        vendorId(VID_DPD);
        vendorId(VID_CISCO_UNITY);
        natD(natDetection.hash(initiatorSpi, responderSpi, initiatorAsSeen));
        natD(natDetection.hash(initiatorSpi, responderSpi, responder));
        hash(r);
        w.finish();
    }

    /** Main mode 1/2 (RFC 2409 5): HDR, SA, VID... (the responder answers with its own responder cookie). */
    public void main12(long initiatorSpi, long responderSpi, DhGroup group, boolean responderSide) {
        w.header(initiatorSpi, responderSpi, VERSION, MAIN, 0, 0);
        sa(group, AUTH_PSK);
        vendorId(VID_RFC3947);
        vendorId(responderSide ? VID_STRONGSWAN : VID_NAT_T_DRAFT_02);
        vendorId(VID_DPD);
        w.finish();
    }

    /** Main mode 3/4 (RFC 3947 3.2): HDR, KE, Ni/Nr, NAT-D (the peer as this side addresses it), NAT-D (itself). */
    public void main34(RandomGenerator r, long initiatorSpi, long responderSpi, DhGroup group, Endpoint peer, Endpoint self) {
        w.header(initiatorSpi, responderSpi, VERSION, MAIN, 0, 0);
        ke(r, group);
        nonce(r, 32);
        natD(natDetection.hash(initiatorSpi, responderSpi, peer));
        natD(natDetection.hash(initiatorSpi, responderSpi, self));
        w.finish();
    }

    /**
     * A message whose payloads are encrypted (main mode 5/6, aggressive 3, quick mode, informational):
     * header with the E flag and {@code nextPayload} naming the first (hidden) payload, then
     * {@code blocks} AES blocks of ciphertext.
     */
    public void encrypted(RandomGenerator r, long initiatorSpi, long responderSpi, int exchangeType, long messageId,
                          int nextPayload, int blocks) {
        w.header(initiatorSpi, responderSpi, VERSION, exchangeType, FLAG_ENCRYPTION, messageId);
        w.headerNextPayload(nextPayload);
        w.sink().random(r, blocks * AES_BLOCK);
        w.finish();
    }

    private void sa(DhGroup group, int auth) {
        ByteSink s = w.sink();
        int sa = w.begin(SA);
        s.u32(DOI_IPSEC).u32(SIT_IDENTITY_ONLY);
        int proposal = s.size();
        s.u8(0).u8(0).u16(0);          // last proposal
        s.u8(1).u8(PROTO_ISAKMP).u8(0).u8(1);
        int transform = s.size();
        s.u8(0).u8(0).u16(0);          // last transform
        s.u8(1).u8(KEY_IKE).u16(0);
        attribute(ATTR_ENCRYPTION, ENCR_AES_CBC);
        attribute(ATTR_KEY_LENGTH, 256);
        attribute(ATTR_HASH, HASH_SHA);
        attribute(ATTR_AUTH, auth);
        attribute(ATTR_GROUP, group.number);
        attribute(ATTR_LIFE_TYPE, LIFE_SECONDS);
        attribute(ATTR_LIFE_DURATION, 28800);
        s.setU16(transform + 2, s.size() - transform);
        s.setU16(proposal + 2, s.size() - proposal);
        w.end(sa);
    }

    private void attribute(int type, int value) {
        w.sink().u16(0x8000 | type).u16(value);
    }

    private void ke(RandomGenerator r, DhGroup group) {
        int p = w.begin(KE);
        w.sink().random(r, group.publicValueSize);
        w.end(p);
    }

    private void nonce(RandomGenerator r, int size) {
        int p = w.begin(NONCE);
        w.sink().random(r, size);
        w.end(p);
    }

    private void id(int type, String identity) {
        int p = w.begin(ID);
        // Phase 1 identification (RFC 2407 4.6.2): protocol 17 / port 500, or 0 / 0; we send 0 / 0.
        w.sink().u8(type).u8(0).u16(0).bytes(identity.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        w.end(p);
    }

    private void vendorId(byte[] vid) {
        int p = w.begin(VENDOR_ID);
        w.sink().bytes(vid);
        w.end(p);
    }

    private void natD(byte[] hash) {
        int p = w.begin(NAT_D);
        w.sink().bytes(hash);
        w.end(p);
    }

    private void hash(RandomGenerator r) {
        int p = w.begin(HASH);
        w.sink().random(r, NatDetection.SHA1_SIZE);
        w.end(p);
    }
}
