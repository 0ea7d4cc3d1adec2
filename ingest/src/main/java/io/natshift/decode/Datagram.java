package io.natshift.decode;

/**
 * Scratch state of one frame from the link layer down to the UDP payload. One instance per
 * decoder, reused for every frame, so the hot path allocates nothing until it has an IKE message.
 */
final class Datagram {
    int ipVersion;
    int srcAddrOffset;
    int dstAddrOffset;
    /** True for the first fragment of a fragmented datagram (offset 0, more fragments). */
    boolean firstFragment;
    int srcPort;
    int dstPort;
    int udpPayloadOffset;
    /** Bytes of UDP payload present in the frame (at most what the UDP length field says). */
    int udpPayloadLength;
    /** True when the UDP length field says more than the frame holds (fragment or short snaplen). */
    boolean udpPayloadCut;

    int addressLength() {
        return ipVersion == 4 ? 4 : 16;
    }
}
