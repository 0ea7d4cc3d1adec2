package io.natshift.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.UnknownHostException;

final class Hosts {
    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    private Hosts() {
    }

    /** The default probe id: this host's name, as the NOC knows the probe machine. */
    static String localName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        // the kernel's host name (what `hostname` prints), without the DNS lookup of
        // InetAddress.getLocalHost(): that costs every short command start-up time and can hang
        // for seconds on a probe host whose resolver is broken
        try {
            String kernel = Files.readString(KERNEL_HOSTNAME).trim();
            if (!kernel.isEmpty()) {
                return kernel;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: ask the resolver
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
