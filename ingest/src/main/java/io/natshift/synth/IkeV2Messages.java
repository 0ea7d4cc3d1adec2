package io.natshift.synth;

import java.util.random.RandomGenerator;

/**
 * IKEv2 messages (RFC 7296) written into a {@link ByteSink}. IKE_SA_INIT is cleartext with real SA,
 * KE, Nonce and NAT_DETECTION_*_IP notifies; later exchanges carry one Encrypted (SK) payload,
 * opaque: IV, ciphertext in whole AES blocks and a 12-byte HMAC-SHA1-96 ICV.
 */
public final class IkeV2Messages {
    static final int VERSION = 0x20;
    public static final int FLAG_INITIATOR = 0x08;
    public static final int FLAG_RESPONSE = 0x20;

    // RFC 7296 3.2 payload types
    public static final int SA = 33;
    public static final int KE = 34;
    public static final int IDI = 35;
    public static final int IDR = 36;
    public static final int NONCE = 40;
    public static final int NOTIFY = 41;
    public static final int DELETE = 42;
    public static final int VENDOR_ID = 43;
    public static final int ENCRYPTED = 46;

    // RFC 7296 3.1 exchange types
    public static final int IKE_SA_INIT = 34;
    public static final int IKE_AUTH = 35;
    public static final int CREATE_CHILD_SA = 36;
    public static final int INFORMATIONAL = 37;

    public static final int NAT_DETECTION_SOURCE_IP = 16388;
    public static final int NAT_DETECTION_DESTINATION_IP = 16389;
    static final int PROTO_IKE = 1;

    // RFC 7296 3.3.2 transform types and IDs
    static final int TRANSFORM_ENCR = 1;
    static final int TRANSFORM_PRF = 2;
    static final int TRANSFORM_INTEG = 3;
    static final int TRANSFORM_DH = 4;
    static final int ENCR_AES_CBC = 12;
    static final int PRF_HMAC_SHA2_256 = 5;
    static final int AUTH_HMAC_SHA2_256_128 = 12;
    static final int ATTR_KEY_LENGTH = 14;

    static final int AES_BLOCK = 16;
    static final int ICV_SIZE = 16;

    private final IkeWriter w;
    private final NatDetection natDetection = new NatDetection();

    public IkeV2Messages(ByteSink sink) {
        this.w = new IkeWriter(sink);
    }

    /**
     * IKE_SA_INIT request or response (RFC 7296 1.2, 2.23): SA, KE, Ni/Nr, N(NAT_DETECTION_SOURCE_IP),
     * N(NAT_DETECTION_DESTINATION_IP). Hashes use SPIr zero in the request, as the RFC says.
     */
    public void saInit(RandomGenerator r, long spiI, long spiR, boolean response, DhGroup group,
                       Endpoint source, Endpoint destination) {
        w.header(spiI, response ? spiR : 0, VERSION, IKE_SA_INIT, response ? FLAG_RESPONSE : FLAG_INITIATOR, 0);
        long hashSpiR = response ? spiR : 0;
        sa(group);
        int ke = w.begin(KE);
        w.sink().u16(group.number).u16(0).random(r, group.publicValueSize);
        w.end(ke);
        int nonce = w.begin(NONCE);
        w.sink().random(r, 32);
        w.end(nonce);
        notify(NAT_DETECTION_SOURCE_IP, natDetection.hash(spiI, hashSpiR, source));
        notify(NAT_DETECTION_DESTINATION_IP, natDetection.hash(spiI, hashSpiR, destination));
        w.finish();
    }

    /** IKE_AUTH, CREATE_CHILD_SA or INFORMATIONAL: HDR, SK{...} with {@code blocks} AES blocks inside. */
    public void encrypted(RandomGenerator r, long spiI, long spiR, int exchangeType, int flags, long messageId,
                          int firstInner, int blocks) {
        w.header(spiI, spiR, VERSION, exchangeType, flags, messageId);
        int sk = w.begin(ENCRYPTED);
        w.sink().setU8(sk, firstInner);     // the SK payload's Next Payload names the first inner payload
        w.sink().random(r, AES_BLOCK + blocks * AES_BLOCK + ICV_SIZE);
        w.end(sk);
        w.finish();
    }

    private void sa(DhGroup group) {
        ByteSink s = w.sink();
        int sa = w.begin(SA);
        int proposal = s.size();
        s.u8(0).u8(0).u16(0).u8(1).u8(PROTO_IKE).u8(0).u8(4);
        transform(3, TRANSFORM_ENCR, ENCR_AES_CBC, 256);
        transform(3, TRANSFORM_PRF, PRF_HMAC_SHA2_256, -1);
        transform(3, TRANSFORM_INTEG, AUTH_HMAC_SHA2_256_128, -1);
        transform(0, TRANSFORM_DH, group.number, -1);
        s.setU16(proposal + 2, s.size() - proposal);
        w.end(sa);
    }

    private void transform(int lastOrMore, int type, int id, int keyLength) {
        ByteSink s = w.sink();
        int t = s.size();
        s.u8(lastOrMore).u8(0).u16(0).u8(type).u8(0).u16(id);
        if (keyLength > 0) {
            s.u16(0x8000 | ATTR_KEY_LENGTH).u16(keyLength);
        }
        s.setU16(t + 2, s.size() - t);
    }

    private void notify(int type, byte[] data) {
        int n = w.begin(NOTIFY);
        w.sink().u8(0).u8(0).u16(type).bytes(data);
        w.end(n);
    }
}
