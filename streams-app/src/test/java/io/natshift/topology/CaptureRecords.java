package io.natshift.topology;

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

/** The IkePacket records a probe would publish for a capture file: decoder + contract mapping, no Kafka. */
final class CaptureRecords {
    private CaptureRecords() {
    }

    static Path sample(String name) {
        Path p = Path.of("samples", name);
        return p.toFile().exists() ? p : Path.of("..", "samples", name);
    }

    static List<IkePacket> read(Path file, String probeId, String vantage) throws IOException {
        FrameDecoder decoder = new FrameDecoder();
        List<IkePacket> out = new ArrayList<>();
        try (CaptureReader reader = CaptureFiles.open(file)) {
            while (reader.next()) {
                DecodeResult r = decoder.decode(reader.buffer(), reader.offset(), reader.length(), reader.linkType());
                if (r instanceof IkeMessage m) {
                    IkePacket p = IkeRecords.toAvro(m, probeId, reader.source(), reader.frameNumber(), reader.timestampMicros());
                    p.setVantage(vantage);
                    out.add(p);
                }
            }
        }
        return out;
    }
}
