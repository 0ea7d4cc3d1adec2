package io.natshift.synth;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ground-truth JSON next to a synthetic capture (format: docs/synth.md). The long lists
 * (shifts, established SAs, address updates, subscribers) grow with the subscribers, so each is
 * streamed to a temporary file as sessions end and spliced into the final document on close.
 */
final class TruthWriter implements Closeable {
    static final String FORMAT = "natshift-synth-truth/1";
    static final String[] SECTIONS = {"shifts", "establishedSas", "addressUpdates", "subscribers"};

    private final Path target;
    private final JsonFactory json = new JsonFactory();
    private final Path[] spillFiles = new Path[SECTIONS.length];
    private final JsonGenerator[] spills = new JsonGenerator[SECTIONS.length];
    private final Map<String, Object> summary = new LinkedHashMap<>();

    TruthWriter(Path target) throws IOException {
        this.target = target;
        Path dir = target.toAbsolutePath().getParent();
        for (int i = 0; i < SECTIONS.length; i++) {
            spillFiles[i] = Files.createTempFile(dir, ".synth-" + SECTIONS[i], ".json");
            spills[i] = json.createGenerator(spillFiles[i].toFile(), JsonEncoding.UTF8);
            spills[i].writeStartArray();
        }
    }

    JsonGenerator shifts() {
        return spills[0];
    }

    JsonGenerator establishedSas() {
        return spills[1];
    }

    JsonGenerator addressUpdates() {
        return spills[2];
    }

    JsonGenerator subscribers() {
        return spills[3];
    }

    /** A small top-level field (options, files, gateways, pools, malformed counts), written before the lists. */
    void summary(String name, Object value) {
        summary.put(name, value);
    }

    @Override
    public void close() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        for (JsonGenerator g : spills) {
            g.writeEndArray();
            g.close();
        }
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(target), 1 << 16)) {
            out.write('{');
            out.write(("\"format\":\"" + FORMAT + "\"").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (Map.Entry<String, Object> e : summary.entrySet()) {
                out.write((",\n" + mapper.writeValueAsString(e.getKey()) + ":").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.write(mapper.writeValueAsBytes(e.getValue()));
            }
            for (int i = 0; i < SECTIONS.length; i++) {
                out.write((",\n\"" + SECTIONS[i] + "\":").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                Files.copy(spillFiles[i], out);
            }
            out.write("}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            for (Path p : spillFiles) {
                Files.deleteIfExists(p);
            }
        }
    }
}
