package io.natshift.decode;

/** Canonical text of IP addresses: dotted quad, and RFC 5952 for IPv6 (lowercase, longest zero run as ::). */
public final class Addresses {
    private Addresses() {
    }

    public static String format(byte[] address) {
        return address.length == 4 ? ipv4(address) : ipv6(address);
    }

    static String ipv4(byte[] a) {
        StringBuilder s = new StringBuilder(15);
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                s.append('.');
            }
            s.append(a[i] & 0xFF);
        }
        return s.toString();
    }

    static String ipv6(byte[] a) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (a[2 * i] & 0xFF) << 8 | (a[2 * i + 1] & 0xFF);
        }
        // RFC 5952 4.2: compress the longest run of two or more zero groups, the first if tied.
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLength - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(groups[i]));
        }
        return s.toString();
    }

    /** {@code ip:port}, or {@code [v6]:port} for IPv6 (RFC 5952 6). */
    public static String endpoint(String address, int port) {
        return address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
    }
}
