package io.natshift.topology;

import java.util.ArrayList;
import java.util.List;

import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.SessionSummary;

/** Builds the output records from SA state. */
final class Outputs {
    static final String PENDING = "pending";
    static final String FAILED = "failed";
    static final String RECOVERED = "recovered";

    private Outputs() {
    }

    static String spiHex(long spi) {
        return java.util.HexFormat.of().toHexDigits(spi);
    }

    static String saId(long initiatorSpi, long responderSpi) {
        return spiHex(initiatorSpi) + "-" + spiHex(responderSpi);
    }

    static NatShiftAlert alert(long initiatorSpi, SaState s, View v, String outcome, long outcomeAt) {
        boolean pending = PENDING.equals(outcome);
        return NatShiftAlert.newBuilder()
                .setSaId(saId(initiatorSpi, s.responderSpi))
                .setInitiatorSpi(spiHex(initiatorSpi))
                .setResponderSpi(spiHex(s.responderSpi))
                .setBefore(Ike.endpoint(v.before, v.beforePort))
                .setAfter(Ike.endpoint(v.after, v.afterPort))
                .setGateway(v.responderAddr)
                .setProbeId(v.probeId)
                .setVantage(v.vantage)
                .setIkeVersion(s.version)
                .setExchange(Ike.exchangeName(s.version, v.floatExchange))
                .setDetectedAtMillis(v.floatTs)
                .setFirstEvidenceFrame(v.beforeFrame)
                .setFirstEvidenceSource(v.beforeSource)
                .setLastEvidenceFrame(pending ? v.floatFrame : v.lastFrame)
                .setLastEvidenceSource(pending ? v.floatSource : v.lastSource)
                .setResponderPacketsToBefore(v.responderToBefore)
                .setResponderPacketsToAfter(v.responderToAfter)
                .setOutcome(outcome)
                .setOutcomeAtMillis(pending ? null : outcomeAt)
                .setSubscriber(NatBindings.subscriber(s))
                .setSubscriberSource(NatBindings.subscriberSource(s))
                .setSeverity(RECOVERED.equals(outcome) ? "warning" : "critical")
                .build();
    }

    static SessionSummary session(long initiatorSpi, SaState s, String closedBy) {
        View v = s.primary();
        long establishedTs = s.establishedTs();
        boolean established = establishedTs != View.NONE;
        String cause = established ? null : cause(s, v);
        List<String> vantages = new ArrayList<>(s.views.size());
        for (View each : s.views) {
            vantages.add(each.vantage);
        }
        String initiator = v.beforeTs != View.NONE ? Ike.endpoint(v.before, v.beforePort)
                : v.floated() ? Ike.endpoint(v.after, v.afterPort) : "unknown";
        return SessionSummary.newBuilder()
                .setSaId(saId(initiatorSpi, s.responderSpi))
                .setInitiatorSpi(spiHex(initiatorSpi))
                .setResponderSpi(spiHex(s.responderSpi))
                .setIkeVersion(s.version)
                .setOutcome(established ? "established" : "failed")
                .setCause(cause)
                .setNotifyType("notify".equals(cause) ? Ike.notifyName(s.version, errorNotify(s)) : null)
                .setPhases(Ike.phaseNames(s.version, v.phases))
                .setInitiatorRetransmissions(v.initiatorRetransmissions)
                .setResponderRetransmissions(v.responderRetransmissions)
                .setInitiatorPackets(v.initiatorPackets)
                .setResponderPackets(v.responderPackets)
                .setDuplicateCaptures(v.duplicates)
                .setStartMillis(s.firstTs)
                .setEndMillis(s.lastTs)
                .setSetupMillis(established ? establishedTs - s.firstTs : null)
                .setInitiator(initiator)
                .setInitiatorNatT(v.floated() ? Ike.endpoint(v.after, v.afterPort) : null)
                .setResponder(v.responderAddr == null ? "unknown" : Ike.endpoint(v.responderAddr, v.responderPort))
                .setProbeId(v.probeId)
                .setVantage(v.vantage)
                .setVantages(vantages)
                .setRolesInferred(v.roleInferred)
                .setNatDetected(v.natDetected)
                .setFloated(v.floated())
                .setNatShift(v.shift)
                .setFragments(v.fragments)
                .setAddressUpdates(v.addressUpdates)
                .setClosedBy(closedBy)
                .build();
    }

    private static int errorNotify(SaState s) {
        for (View v : s.views) {
            if (v.errorNotify != 0) {
                return v.errorNotify;
            }
        }
        return 0;
    }

    /** Why an attempt failed, most specific first. */
    static String cause(SaState s, View v) {
        for (View each : s.views) {
            if (each.shift) {
                return "nat-shift";
            }
        }
        if (errorNotify(s) != 0) {
            return "notify";
        }
        if (v.responderPackets == 0) {
            return "no-response";
        }
        if (StallSignature.matches(s, v)) {
            return "stalled-after-float";
        }
        if (v.floated() && !v.responderNatT) {
            return "no-response-after-float";
        }
        int gaveUp = s.version == 2 ? 1 << ((Ike.V2_INFORMATIONAL - Ike.V2_IKE_SA_INIT) * 2) : 1 << Ike.INFO_INITIATOR;
        if ((v.phases & gaveUp) != 0 || v.lastFromResponder) {
            // the initiator deleted/notified, or left the responder's last message unanswered
            return "initiator-gave-up";
        }
        return "no-response";
    }
}
