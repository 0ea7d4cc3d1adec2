package io.natshift.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Headless Chromium (Debian package {@code chromium}) as a test instrument: opens a copy of a page with
 * a script appended that returns what the browser parsed and laid out, and reads the answer back from
 * the dumped DOM. Offline: every network feature is off.
 */
final class Browser {
    private static final Pattern ANSWER = Pattern.compile("data-natshift-check=\"([^\"]*)\"");

    private Browser() {
    }

    static JsonNode inspect(Path page, Path work, String scriptBody) throws IOException, InterruptedException {
        Path copy = work.resolve("inspect-" + System.nanoTime() + ".html");
        String probe = "<script>document.body.setAttribute('data-natshift-check', JSON.stringify((() => {" + scriptBody + "})()));</script>";
        Files.writeString(copy, Files.readString(page).replace("</body>", probe + "</body>"));
        Path profile = Files.createTempDirectory(work, "chromium-");
        Process p = new ProcessBuilder(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--dump-dom", copy.toUri().toString()))
                .redirectError(work.resolve("chromium.log").toFile())
                .start();
        byte[] dom = p.getInputStream().readAllBytes();
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium failed: " + Files.readString(work.resolve("chromium.log")));
        }
        Matcher m = ANSWER.matcher(new String(dom, StandardCharsets.UTF_8));
        if (!m.find()) {
            throw new IllegalStateException("the page script left no answer; chromium said: " + Files.readString(work.resolve("chromium.log")));
        }
        String json = m.group(1).replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        return new ObjectMapper().readTree(json);
    }
}
