package io.natshift.synth;

/**
 * Writes one IKE message into a {@link ByteSink}: the 28-byte header (RFC 2408 3.1 / RFC 7296 3.1),
 * then payloads, each linked from the previous one's Next Payload byte, with lengths patched when a
 * payload or the message ends. The generic payload header is the same in both versions:
 * <pre>
 * | Next Payload (1) | C / RESERVED (1) | Payload Length (2) |
 * </pre>
 */
final class IkeWriter {
    static final int HEADER_SIZE = 28;
    static final int NEXT_PAYLOAD_OFFSET = 16;
    static final int LENGTH_OFFSET = 24;
    static final int GENERIC_HEADER_SIZE = 4;

    private final ByteSink sink;
    private int start;
    private int previousNext;

    IkeWriter(ByteSink sink) {
        this.sink = sink;
    }

    ByteSink sink() {
        return sink;
    }

    /** Begins a message at the current end of the sink; next payload stays 0 until a payload is added. */
    void header(long initiatorSpi, long responderSpi, int version, int exchangeType, int flags, long messageId) {
        start = sink.size();
        sink.u64(initiatorSpi).u64(responderSpi).u8(0).u8(version).u8(exchangeType).u8(flags).u32(messageId).u32(0);
        previousNext = start + NEXT_PAYLOAD_OFFSET;
    }

    /** Sets the header's Next Payload directly, for encrypted IKEv1 messages whose payloads are opaque. */
    void headerNextPayload(int type) {
        sink.setU8(start + NEXT_PAYLOAD_OFFSET, type);
    }

    /** Starts a payload; returns its offset for {@link #end}. */
    int begin(int type) {
        sink.setU8(previousNext, type);
        int at = sink.size();
        previousNext = at;
        sink.u8(0).u8(0).u16(0);
        return at;
    }

    void end(int payloadStart) {
        sink.setU16(payloadStart + 2, sink.size() - payloadStart);
    }

    /** Patches the message length; returns it. */
    int finish() {
        int length = sink.size() - start;
        sink.setU32(start + LENGTH_OFFSET, length);
        return length;
    }

    int start() {
        return start;
    }
}
