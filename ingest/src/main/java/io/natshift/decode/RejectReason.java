package io.natshift.decode;

/** Why a frame on an IKE port was not decoded as IKE. Every rejection is counted by reason. */
public enum RejectReason {
    /** The link type is not one the decoder reads. */
    UNSUPPORTED_LINK_TYPE,
    /** The frame ends inside the link, IP or UDP header. */
    TRUNCATED_PACKET,
    /** IP header fields contradict each other or the frame (IHL, total length, extension header length). */
    BAD_IP_HEADER,
    /** UDP length field shorter than its header or longer than the IP payload of an unfragmented datagram. */
    BAD_UDP_LENGTH,
    /** The UDP payload on an IKE port is too short for the 28-byte IKE header (or for the non-ESP marker). */
    TRUNCATED_HEADER,
    /** Major version other than 1 (ISAKMP/IKEv1) or 2 (IKEv2). */
    UNKNOWN_VERSION,
    /** The IKE length field is below the header size or above what the datagram carries. */
    LENGTH_MISMATCH,
    /** A payload length is below 4 or runs past the end of the message. */
    BAD_PAYLOAD_LENGTH,
    /** Bytes on an IKE port that cannot be an IKE message at all (e.g. a short UDP 4500 payload that is no keepalive). */
    NOT_IKE
}
