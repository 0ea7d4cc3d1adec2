package io.natshift.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Wireshark's dissectors as an independent judge of the synthetic bytes: apart from the frames the
 * truth lists as deliberately malformed, tshark reports no malformed packet and no warning (with
 * loss, the only warnings allowed are ESP sequence gaps, which loss causes).
 */
class SynthTsharkIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void requireTshark() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("tshark", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                fail("tshark --version failed; install it: DEBIAN_FRONTEND=noninteractive apt-get install -y tshark");
            }
        } catch (IOException e) {
            fail("tshark is not installed; install it: DEBIAN_FRONTEND=noninteractive apt-get install -y tshark");
        }
    }

    static Stream<Arguments> captures() {
        SynthOptions.Builder base = SynthOptions.builder().subscribers(60).durationMicros(300_000_000L).seed(11)
                .espPacketsPerSecond(0.5);
        return Stream.of(
                Arguments.of("v1-main", base.build().toBuilder().ike(SynthOptions.IkeMode.V1_MAIN).build()),
                Arguments.of("v1-aggressive", base.build().toBuilder().ike(SynthOptions.IkeMode.V1_AGGRESSIVE).build()),
                Arguments.of("v2", base.build().toBuilder().ike(SynthOptions.IkeMode.V2).build()),
                Arguments.of("mix, both vantages, faults without loss", base.build().toBuilder().vantage(SynthOptions.Vantage.BOTH)
                        .strictGatewayFraction(0.5).arbitraryPoolFraction(0.5).overloadedGatewayFraction(0.5)
                        .addressUpdateFraction(0.5).udp4500BlockedFraction(0.1).ipv6Fraction(0.2).build()),
                Arguments.of("loss and malformed", base.build().toBuilder().loss(0.03).malformedFraction(0.03).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldDissectWithoutMalformedPacketsWhenTsharkReadsTheCapture(String name, SynthOptions options) throws Exception {
        Path out = dir.resolve("t.pcap");
        new SynthGenerator(options).generate(out, null);
        SynthGenerator.Files4 files = SynthGenerator.files(out, options.vantage());
        JsonNode truth = JSON.readTree(files.truth().toFile());
        for (String vantage : List.of("outside", "inside")) {
            Path file = vantage.equals("outside") ? files.outside() : files.inside();
            if (file == null) {
                continue;
            }
            Set<Long> deliberate = new HashSet<>();
            truth.path("malformed").path(vantage).path("frames").forEach(f -> deliberate.add(f.asLong()));
            String filter = options.loss() > 0
                    ? "_ws.malformed || (_ws.expert.severity >= \"Warning\" && !(_ws.expert.group == \"Sequence\"))"
                    : "_ws.malformed || _ws.expert.severity >= \"Warning\"";
            List<String> flagged = tshark(file, filter);
            List<String> unexpected = new ArrayList<>();
            for (String line : flagged) {
                long frame = Long.parseLong(line.split("\t", 2)[0].trim());
                if (!deliberate.contains(frame)) {
                    unexpected.add(line);
                }
            }
            assertThat(unexpected).as("%s %s: frames tshark flags that the truth does not list as malformed", name, vantage).isEmpty();
            if (!deliberate.isEmpty()) {
                assertThat(flagged).as("tshark sees some of the deliberate malformed frames").isNotEmpty();
            }
            List<String> isakmp = tshark(file, "isakmp");
            assertThat(isakmp).as("%s %s: tshark dissects IKE", name, vantage).isNotEmpty();
        }
    }

    @org.junit.jupiter.api.Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldDissectTheIncidentSampleAsIsakmpWithoutWarnings() throws Exception {
        Path sample = Path.of("..").resolve(IncidentSample.DEFAULT_OUT);
        assertThat(tshark(sample, "_ws.malformed || _ws.expert.severity >= \"Warning\"")).isEmpty();
        List<String> isakmp = tshark(sample, "isakmp");
        List<Long> frames = new ArrayList<>();
        isakmp.forEach(line -> frames.add(Long.parseLong(line.split("\t", 2)[0].trim())));
        assertThat(frames).containsExactly(11L, 13L, 15L, 16L, 17L, 18L, 19L, 20L, 21L, 24L, 25L, 26L, 27L, 28L, 29L, 30L);
    }

    private List<String> tshark(Path file, String filter) throws IOException, InterruptedException {
        Path output = dir.resolve("tshark.out");
        Process p = new ProcessBuilder("tshark", "-n", "-r", file.toString(), "-Y", filter,
                "-T", "fields", "-e", "frame.number", "-e", "_ws.expert.message", "-e", "_ws.col.Info")
                .redirectOutput(output.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(p.waitFor(100, TimeUnit.SECONDS)).as("tshark finished").isTrue();
        assertThat(p.exitValue()).as("tshark exit status on %s", file).isZero();
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return lines;
    }
}
