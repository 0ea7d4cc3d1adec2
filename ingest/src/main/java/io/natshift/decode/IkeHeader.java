package io.natshift.decode;

/**
 * The fixed IKE header, the same 28 bytes in ISAKMP (RFC 2408 3.1) and IKEv2 (RFC 7296 3.1).
 * <pre>
 *                       1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       IKE SA Initiator's SPI                  |
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       IKE SA Responder's SPI                  |
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Message ID                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                            Length                             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
final class IkeHeader {
    static final int SPI_SIZE = 8;
    static final int INITIATOR_SPI_OFFSET = 0;
    static final int RESPONDER_SPI_OFFSET = INITIATOR_SPI_OFFSET + SPI_SIZE;
    static final int NEXT_PAYLOAD_OFFSET = RESPONDER_SPI_OFFSET + SPI_SIZE;
    static final int VERSION_OFFSET = NEXT_PAYLOAD_OFFSET + 1;
    static final int EXCHANGE_TYPE_OFFSET = VERSION_OFFSET + 1;
    static final int FLAGS_OFFSET = EXCHANGE_TYPE_OFFSET + 1;
    static final int MESSAGE_ID_OFFSET = FLAGS_OFFSET + 1;
    static final int LENGTH_OFFSET = MESSAGE_ID_OFFSET + 4;
    static final int SIZE = LENGTH_OFFSET + 4;

    /** IKEv1 flags (RFC 2408 3.1). */
    static final int V1_FLAG_ENCRYPTION = 0x01;
    /** IKEv2 flags (RFC 7296 3.1). */
    static final int V2_FLAG_INITIATOR = 0x08;
    static final int V2_FLAG_RESPONSE = 0x20;

    private IkeHeader() {
    }

    static long initiatorSpi(byte[] b, int ike) {
        return Bytes.u64(b, ike + INITIATOR_SPI_OFFSET);
    }

    static long responderSpi(byte[] b, int ike) {
        return Bytes.u64(b, ike + RESPONDER_SPI_OFFSET);
    }

    static int nextPayload(byte[] b, int ike) {
        return Bytes.u8(b, ike + NEXT_PAYLOAD_OFFSET);
    }

    static int majorVersion(byte[] b, int ike) {
        return Bytes.u8(b, ike + VERSION_OFFSET) >>> 4;
    }

    static int minorVersion(byte[] b, int ike) {
        return Bytes.u8(b, ike + VERSION_OFFSET) & 0x0F;
    }

    static int exchangeType(byte[] b, int ike) {
        return Bytes.u8(b, ike + EXCHANGE_TYPE_OFFSET);
    }

    static int flags(byte[] b, int ike) {
        return Bytes.u8(b, ike + FLAGS_OFFSET);
    }

    static long messageId(byte[] b, int ike) {
        return Bytes.u32(b, ike + MESSAGE_ID_OFFSET);
    }

    static long length(byte[] b, int ike) {
        return Bytes.u32(b, ike + LENGTH_OFFSET);
    }
}
