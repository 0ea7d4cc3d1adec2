package io.natshift.analyze;

import java.util.List;
import java.util.Map;

import io.natshift.report.AnalysisReport;

/** What a replay published: records on the input topic (with heartbeats and the end marker), counts per file, problems. */
record Replayed(long records, long frames, long ikePackets, Map<String, Long> rejected, List<String> problems,
                List<AnalysisReport.InputFile> files) {
}
