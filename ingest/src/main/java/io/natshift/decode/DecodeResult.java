package io.natshift.decode;

/** What the decoder made of one frame: an IKE message, a frame legitimately skipped, or a rejection. */
public sealed interface DecodeResult permits IkeMessage, DecodeResult.Skipped, DecodeResult.Rejected {

    record Skipped(SkipReason reason) implements DecodeResult {
        static final Skipped NOT_IKE_TRAFFIC = new Skipped(SkipReason.NOT_IKE_TRAFFIC);
        static final Skipped IP_FRAGMENT = new Skipped(SkipReason.IP_FRAGMENT);
        static final Skipped NAT_KEEPALIVE = new Skipped(SkipReason.NAT_KEEPALIVE);
        static final Skipped ESP_IN_UDP = new Skipped(SkipReason.ESP_IN_UDP);
    }

    /** {@code detail} says what was read where, for the log line that names the frame. */
    record Rejected(RejectReason reason, String detail) implements DecodeResult {
    }
}
