package io.natshift.report;

import java.time.Instant;

import org.apache.avro.generic.IndexedRecord;

import io.natshift.schemas.JsonRecords;
import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.SessionSummary;

/** One readable line per output record, for {@code natshift tail}. */
public final class RecordLines {
    private RecordLines() {
    }

    public static String line(Object value) {
        if (value instanceof NatShiftAlert a) {
            return String.format("%s  shift %-9s %-8s %s  %s -> %s  gateway %s  %s/%s  frames %d-%d of %s",
                    Instant.ofEpochMilli(a.getDetectedAtMillis()), a.getOutcome(), a.getSeverity(), a.getSaId(), a.getBefore(),
                    a.getAfter(), a.getGateway(), a.getVantage(), a.getProbeId(), a.getFirstEvidenceFrame(), a.getLastEvidenceFrame(),
                    a.getLastEvidenceSource());
        }
        if (value instanceof SessionSummary s) {
            return String.format("%s  session %-11s %s  IKEv%d  %s -> %s  %s%s  phases %s  retransmissions %d/%d",
                    Instant.ofEpochMilli(s.getStartMillis()), s.getOutcome(), s.getSaId(), s.getIkeVersion(), s.getInitiator(),
                    s.getResponder(), s.getCause() == null ? "" : "cause " + s.getCause() + "  ",
                    s.getSetupMillis() == null ? "" : "setup " + s.getSetupMillis() + " ms",
                    String.join(",", s.getPhases()), s.getInitiatorRetransmissions(), s.getResponderRetransmissions());
        }
        if (value instanceof IndexedRecord r) {
            return JsonRecords.toJson(r);
        }
        return String.valueOf(value);
    }
}
