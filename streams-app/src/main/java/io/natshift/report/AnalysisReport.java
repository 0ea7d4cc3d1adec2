package io.natshift.report;

import java.util.List;
import java.util.Map;

import io.natshift.schemas.avro.IkePacket;
import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.SessionSummary;

/**
 * Everything one {@code natshift analyze} run found, as read back from the topology's output topics:
 * the renderers ({@link TextReport}, {@link JsonReport}, {@link HtmlReport}) only format this.
 *
 * @param files        the captures, each with its vantage and counts
 * @param rejected     frames the decoder rejected, by reason
 * @param problems     one line per damaged capture (its good frames were still analysed)
 * @param alerts       latest state of every NatShift alert (natshift.alerts is compacted: one per SA id)
 * @param sessions     every session summary (natshift.sessions)
 * @param extraTopics  records of further output topics that exist (nat-bindings, pool-stats, ...) as JSON objects, by topic
 * @param packetsBySa  the IKE packets of the first alerted SAs (for ladders), by SA id
 * @param evidenceBySa frames of each alerted SA in its alert's capture, in capture order, by SA id
 * @param laddersOmitted alerted SAs whose packets were not kept (beyond the cap)
 */
public record AnalysisReport(List<InputFile> files, long frames, long ikePackets, Map<String, Long> rejected,
                             List<String> problems, List<NatShiftAlert> alerts, List<SessionSummary> sessions,
                             Map<String, List<Map<String, Object>>> extraTopics, Map<String, List<IkePacket>> packetsBySa,
                             Map<String, List<Long>> evidenceBySa, int laddersOmitted) {

    public record InputFile(String path, String vantage, long frames, long ikePackets) {
    }

    /** The extra output topic whose name ends with {@code suffix} (e.g. "pool-stats"), or an empty list. */
    public List<Map<String, Object>> topic(String suffix) {
        return extraTopics.entrySet().stream()
                .filter(e -> e.getKey().endsWith(suffix))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(List.of());
    }
}
