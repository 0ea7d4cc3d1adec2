package io.natshift.topology.correlation;

/** "ip:port" and "[v6]:port" as written by the outputs. */
final class Endpoints {
    private Endpoints() {
    }

    /** The address of an endpoint, or null. */
    static String address(String endpoint) {
        if (endpoint == null) {
            return null;
        }
        if (endpoint.startsWith("[")) {
            int close = endpoint.indexOf(']');
            return close < 0 ? null : endpoint.substring(1, close);
        }
        int colon = endpoint.lastIndexOf(':');
        return colon <= 0 ? null : endpoint.substring(0, colon);
    }
}
