package io.natshift.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;

final class Hosts {
    private Hosts() {
    }

    /** The default probe id: this host's name, as the NOC knows the probe machine. */
    static String localName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
