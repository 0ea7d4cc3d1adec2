package io.natshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class HostsTest {

    @Test
    void shouldNameTheProbeAsTheHostnameCommandDoes() throws IOException, InterruptedException {
        String env = System.getenv("HOSTNAME");
        String expected;
        if (env != null && !env.isBlank()) {
            expected = env;
        } else {
            Process p = new ProcessBuilder("hostname").redirectErrorStream(true).start();
            expected = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(p.waitFor()).isZero();
        }

        assertThat(Hosts.localName()).isEqualTo(expected);
    }
}
