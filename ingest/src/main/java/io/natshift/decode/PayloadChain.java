package io.natshift.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Walks the generic payload chain (RFC 2408 3.2, RFC 7296 3.2) after the IKE header, up to the end
 * of the message or the first encrypted payload.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Lengths are attacker input: every payload must be at least its 4-byte header and end inside the
 * message, so the walk advances at least 4 bytes per step and always terminates.
 * One instance per decoder (it reuses its scratch arrays); not thread-safe.
 */
final class PayloadChain {
    static final int NEXT_PAYLOAD_OFFSET = 0;
    static final int LENGTH_OFFSET = 2;
    static final int GENERIC_HEADER_SIZE = 4;
    static final int NONE = 0;
    /** More payloads than this in one message are walked but not listed. */
    static final int MAX_LISTED = 64;

    // IKEv1 payload types (RFC 2408 3.1, RFC 3947, draft-ietf-ipsec-nat-t-ike-02/03, Cisco/strongSwan fragmentation)
    static final int V1_NOTIFICATION = 11;
    static final int V1_VENDOR_ID = 13;
    static final int V1_NAT_D = 20;
    static final int V1_NAT_D_DRAFT = 130;
    static final int V1_FRAGMENT = 132;
    //  IKEv1 Notification body: DOI (4) | Protocol-ID (1) | SPI Size (1) | Notify Message Type (2)
    static final int V1_NOTIFY_TYPE_OFFSET = GENERIC_HEADER_SIZE + 4 + 1 + 1;
    //  IKEv1 fragment body: Fragment ID (2) | Fragment Number (1) | Flags (1, LAST_FRAGMENT = 1)
    static final int V1_FRAGMENT_NUMBER_OFFSET = GENERIC_HEADER_SIZE + 2;
    static final int V1_FRAGMENT_FLAGS_OFFSET = V1_FRAGMENT_NUMBER_OFFSET + 1;
    static final int V1_LAST_FRAGMENT = 0x01;

    // IKEv2 payload types (RFC 7296 3.2, RFC 7383)
    static final int V2_NOTIFY = 41;
    static final int V2_VENDOR_ID = 43;
    static final int V2_ENCRYPTED = 46;
    static final int V2_ENCRYPTED_FRAGMENT = 53;
    //  IKEv2 Notify body: Protocol ID (1) | SPI Size (1) | Notify Message Type (2)
    static final int V2_NOTIFY_TYPE_OFFSET = GENERIC_HEADER_SIZE + 1 + 1;
    //  IKEv2 SKF body: Fragment Number (2) | Total Fragments (2)
    static final int V2_FRAGMENT_NUMBER_OFFSET = GENERIC_HEADER_SIZE;
    static final int V2_FRAGMENT_TOTAL_OFFSET = V2_FRAGMENT_NUMBER_OFFSET + 2;
    static final int V2_NAT_DETECTION_SOURCE_IP = 16388;
    static final int V2_NAT_DETECTION_DESTINATION_IP = 16389;

    private final int[] payloads = new int[MAX_LISTED];
    private final int[] notifies = new int[MAX_LISTED];
    private int payloadCount;
    private int notifyCount;
    private List<byte[]> vendorIds;

    boolean encrypted;
    boolean natDetection;
    boolean ikeFragment;
    int fragmentNumber;
    int fragmentTotal;
    /** Set when the walk failed: the payload type and offset that broke it. */
    String error;

    /**
     * @param first       next payload from the IKE header
     * @param at          offset of the first payload
     * @param declaredEnd end of the message as the IKE length field says
     * @param presentEnd  end of the bytes we have (below declaredEnd when the capture or IP fragment cut it)
     */
    void walk(byte[] b, int major, int first, int at, long declaredEnd, int presentEnd) {
        reset();
        int type = first;
        int start = at;
        while (type != NONE) {
            if (at + GENERIC_HEADER_SIZE > presentEnd) {
                // A chain that ends exactly at the message end without a NONE terminator is tolerated
                // (seen from real stacks); anything else is a lie about lengths, unless the capture was cut.
                if (at < declaredEnd && presentEnd >= declaredEnd) {
                    error = "payload " + type + " header at message offset " + (at - start + IkeHeader.SIZE) + " runs past the message end";
                }
                return;
            }
            int length = Bytes.u16(b, at + LENGTH_OFFSET);
            if (length < GENERIC_HEADER_SIZE || at + length > declaredEnd) {
                error = "payload " + type + " at message offset " + (at - start + IkeHeader.SIZE) + " has length " + length;
                return;
            }
            if (payloadCount < MAX_LISTED) {
                payloads[payloadCount++] = type;
            }
            int bodyEnd = Math.min(at + length, presentEnd);
            if (major == 2 ? v2Payload(b, type, at, bodyEnd) : v1Payload(b, type, at, bodyEnd)) {
                return;
            }
            type = Bytes.u8(b, at + NEXT_PAYLOAD_OFFSET);
            at += length;
        }
    }

    /** Returns true when the walk must stop (the rest is encrypted). */
    private boolean v2Payload(byte[] b, int type, int at, int end) {
        switch (type) {
            case V2_NOTIFY -> {
                if (at + V2_NOTIFY_TYPE_OFFSET + 2 <= end) {
                    int notify = Bytes.u16(b, at + V2_NOTIFY_TYPE_OFFSET);
                    addNotify(notify);
                    natDetection |= notify == V2_NAT_DETECTION_SOURCE_IP || notify == V2_NAT_DETECTION_DESTINATION_IP;
                }
            }
            case V2_VENDOR_ID -> addVendorId(b, at, end);
            case V2_ENCRYPTED -> {
                encrypted = true;
                return true;
            }
            case V2_ENCRYPTED_FRAGMENT -> {
                encrypted = true;
                ikeFragment = true;
                if (at + V2_FRAGMENT_TOTAL_OFFSET + 2 <= end) {
                    fragmentNumber = Bytes.u16(b, at + V2_FRAGMENT_NUMBER_OFFSET);
                    fragmentTotal = Bytes.u16(b, at + V2_FRAGMENT_TOTAL_OFFSET);
                }
                return true;
            }
            default -> {
            }
        }
        return false;
    }

    private boolean v1Payload(byte[] b, int type, int at, int end) {
        switch (type) {
            case V1_NOTIFICATION -> {
                if (at + V1_NOTIFY_TYPE_OFFSET + 2 <= end) {
                    addNotify(Bytes.u16(b, at + V1_NOTIFY_TYPE_OFFSET));
                }
            }
            case V1_VENDOR_ID -> addVendorId(b, at, end);
            case V1_NAT_D, V1_NAT_D_DRAFT -> natDetection = true;
            case V1_FRAGMENT -> {
                ikeFragment = true;
                if (at + V1_FRAGMENT_FLAGS_OFFSET + 1 <= end) {
                    fragmentNumber = Bytes.u8(b, at + V1_FRAGMENT_NUMBER_OFFSET);
                    if ((Bytes.u8(b, at + V1_FRAGMENT_FLAGS_OFFSET) & V1_LAST_FRAGMENT) != 0) {
                        fragmentTotal = fragmentNumber;
                    }
                }
            }
            default -> {
            }
        }
        return false;
    }

    private void addNotify(int notify) {
        if (notifyCount < MAX_LISTED) {
            notifies[notifyCount++] = notify;
        }
    }

    private void addVendorId(byte[] b, int at, int end) {
        if (vendorIds == null) {
            vendorIds = new ArrayList<>(4);
        }
        if (vendorIds.size() < MAX_LISTED) {
            vendorIds.add(Arrays.copyOfRange(b, at + GENERIC_HEADER_SIZE, Math.max(at + GENERIC_HEADER_SIZE, end)));
        }
    }

    private void reset() {
        payloadCount = 0;
        notifyCount = 0;
        vendorIds = null;
        encrypted = false;
        natDetection = false;
        ikeFragment = false;
        fragmentNumber = -1;
        fragmentTotal = -1;
        error = null;
    }

    int[] payloads() {
        return Arrays.copyOf(payloads, payloadCount);
    }

    int[] notifyTypes() {
        return notifyCount == 0 ? EMPTY : Arrays.copyOf(notifies, notifyCount);
    }

    List<byte[]> vendorIds() {
        return vendorIds == null ? List.of() : vendorIds;
    }

    private static final int[] EMPTY = new int[0];
}
