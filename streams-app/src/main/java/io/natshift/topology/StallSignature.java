package io.natshift.topology;

/**
 * The incident's stall as one vantage sees it without any address change (an inside probe, or a
 * probe in front of a NAT that did not shift this time): the initiator floated to UDP 4500, the
 * responder never sent anything on 4500, kept sending (retransmitting its previous message) on
 * UDP 500 after the float, and the initiator reported an error in an informational. The initiator's
 * next attempt with new cookies is another SA (another key); it shows in natshift.subscriber-stats.
 */
final class StallSignature {
    private StallSignature() {
    }

    static boolean matches(SaState s, View v) {
        if (!v.floated() || v.responderNatT || v.responderRetransmissions == 0) {
            return false;
        }
        boolean responderAfterFloat = v.responderToAfter + v.responderToBefore > 0;
        int informational = s.version == 2 ? 1 << ((Ike.V2_INFORMATIONAL - Ike.V2_IKE_SA_INIT) * 2) : 1 << Ike.INFO_INITIATOR;
        return responderAfterFloat && (v.phases & informational) != 0;
    }
}
