package io.natshift.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.natshift.capture.CaptureFiles;
import io.natshift.capture.CaptureReader;
import io.natshift.decode.DecodeResult;
import io.natshift.decode.FrameDecoder;
import io.natshift.decode.IkeMessage;
import io.natshift.publish.IkeRecords;
import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.SessionSummary;

/** Test records: the incident sample's packets as probes publish them, alerts and sessions with only what a test varies. */
final class Records {
    static final Path INCIDENT = Path.of("..", "samples", "incident-gateway-side.pcap");

    private Records() {
    }

    static List<IkePacket> incidentPackets(String initiatorSpi) throws IOException {
        List<IkePacket> packets = new ArrayList<>();
        FrameDecoder decoder = new FrameDecoder();
        try (CaptureReader r = CaptureFiles.open(INCIDENT)) {
            while (r.next()) {
                DecodeResult d = decoder.decode(r.buffer(), r.offset(), r.length(), r.linkType());
                if (d instanceof IkeMessage m) {
                    IkePacket p = IkeRecords.toAvro(m, "gw", r.source(), r.frameNumber(), r.timestampMicros());
                    p.setVantage("gateway");
                    if (Ladder.hex(p.getInitiatorSpi().bytes()).equals(initiatorSpi)) {
                        packets.add(p);
                    }
                }
            }
        }
        return packets;
    }

    static NatShiftAlert alert(String ispi, String rspi, String before, String after, String outcome, long detected) {
        return NatShiftAlert.newBuilder().setSaId(ispi + "-" + rspi).setInitiatorSpi(ispi).setResponderSpi(rspi)
                .setBefore(before).setAfter(after).setGateway("172.31.1.76").setProbeId("gw").setVantage("gateway")
                .setIkeVersion(1).setExchange("aggressive").setDetectedAtMillis(detected).setFirstEvidenceFrame(15)
                .setFirstEvidenceSource(INCIDENT.toString()).setLastEvidenceFrame(30).setLastEvidenceSource(INCIDENT.toString())
                .setResponderPacketsToBefore(1).setResponderPacketsToAfter(0).setOutcome(outcome)
                .setSeverity("failed".equals(outcome) ? "critical" : "warning").build();
    }

    static SessionSummary session(String saId, String outcome, String cause, String initiator, String natT, boolean shift) {
        return SessionSummary.newBuilder().setSaId(saId).setInitiatorSpi(saId.substring(0, 16)).setResponderSpi(saId.substring(17))
                .setIkeVersion(1).setOutcome(outcome).setCause(cause).setPhases(List.of()).setInitiatorRetransmissions(0)
                .setResponderRetransmissions(1).setInitiatorPackets(3).setResponderPackets(2).setDuplicateCaptures(0)
                .setStartMillis(1_000).setEndMillis(5_000).setSetupMillis("established".equals(outcome) ? 400L : null)
                .setInitiator(initiator).setInitiatorNatT(natT).setResponder("198.51.100.10:500").setProbeId("p").setVantage("outside")
                .setVantages(List.of("outside")).setRolesInferred(false).setNatDetected(natT != null).setFloated(natT != null)
                .setNatShift(shift).setFragments(0).setAddressUpdates(0).setClosedBy("timeout").build();
    }
}
