package io.natshift.report;

/** {@code ip:port} and {@code [v6]:port} text as the topology writes it. */
final class Endpoints {
    private Endpoints() {
    }

    static String host(String endpoint) {
        if (endpoint == null) {
            return "";
        }
        if (endpoint.startsWith("[")) {
            int end = endpoint.indexOf(']');
            return end > 0 ? endpoint.substring(1, end) : endpoint;
        }
        int colon = endpoint.lastIndexOf(':');
        return colon > 0 && endpoint.indexOf(':') == colon ? endpoint.substring(0, colon) : endpoint;
    }

    /** The pool a public address is counted in without a pool config: its /24 (IPv4) or /64 (IPv6). */
    static String prefix(String host) {
        if (host.contains(":")) {
            String[] groups = host.split(":", -1);
            StringBuilder s = new StringBuilder();
            int taken = 0;
            for (int i = 0; i < groups.length && taken < 4; i++) {
                if (groups[i].isEmpty()) {
                    break;
                }
                s.append(groups[i]).append(':');
                taken++;
            }
            return s + ":/64";
        }
        int dot = host.lastIndexOf('.');
        return dot > 0 ? host.substring(0, dot) + ".0/24" : host;
    }

    static String endpoint(String addr, int port) {
        return addr.indexOf(':') >= 0 ? "[" + addr + "]:" + port : addr + ":" + port;
    }
}
