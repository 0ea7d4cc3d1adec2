package io.natshift.report;

import java.util.HashSet;
import java.util.Set;

import io.natshift.schemas.avro.IkePacket;

/**
 * Message names for the ladder: IKEv1 main-1..6, aggressive-1..3, quick-1..3 (RFC 2409), informational;
 * IKEv2 exchange + request/response (RFC 7296). Stateful per SA: IKEv1 numbering depends on what came before.
 */
final class IkeNames {
    private static final int PAYLOAD_SA = 1;
    private static final int PAYLOAD_KE = 4;
    private static final int V2_FLAG_INITIATOR = 0x08;
    private static final int V2_FLAG_RESPONSE = 0x20;

    private final Set<Long> quickInitiatorIds = new HashSet<>();

    String name(IkePacket p, boolean fromInitiator) {
        int x = p.getExchangeType();
        if (p.getMajorVersion() >= 2) {
            String exchange = switch (x) {
                case 34 -> "IKE_SA_INIT";
                case 35 -> "IKE_AUTH";
                case 36 -> "CREATE_CHILD_SA";
                case 37 -> "INFORMATIONAL";
                default -> "exchange-" + x;
            };
            return exchange + ((p.getFlags() & V2_FLAG_RESPONSE) != 0 ? " response" : " request");
        }
        boolean sa = !p.getPayloads().isEmpty() && p.getPayloads().get(0) == PAYLOAD_SA;
        return switch (x) {
            case 2 -> "main-" + (p.getEncrypted() ? (fromInitiator ? 5 : 6)
                    : sa ? (fromInitiator ? 1 : 2) : p.getPayloads().contains(PAYLOAD_KE) ? (fromInitiator ? 3 : 4) : (fromInitiator ? 5 : 6));
            case 4 -> "aggressive-" + (fromInitiator ? (sa ? 1 : 3) : 2);
            case 32 -> "quick-" + (fromInitiator ? (quickInitiatorIds.add(p.getMessageId()) ? 1 : 3) : 2);
            case 5 -> "informational";
            default -> "exchange-" + x;
        };
    }

    /** IKEv2 says it in the I flag; IKEv1 is judged by the caller from addresses. */
    static Boolean v2Initiator(IkePacket p) {
        return p.getMajorVersion() >= 2 ? (p.getFlags() & V2_FLAG_INITIATOR) != 0 : null;
    }
}
