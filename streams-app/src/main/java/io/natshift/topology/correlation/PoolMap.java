package io.natshift.topology.correlation;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * NAT pools the operator knows: a file of lines {@code device/pool = cidr, cidr, ...} ('#' starts a
 * comment). An address belongs to the first pool with a matching prefix (longest prefixes are not
 * preferred: pools of one NAT do not overlap). Addresses in no configured pool get an automatic
 * block: their /24 (IPv4) or /64 (IPv6), which the pool resolver merges along observed shifts.
 */
public final class PoolMap {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:-]*");

    record Cidr(byte[] network, int prefix) {
        boolean contains(byte[] addr) {
            if (addr.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (addr[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (addr[full] & mask) == (network[full] & mask);
        }
    }

    record Pool(String name, List<Cidr> cidrs) {
    }

    private final List<Pool> pools;

    private PoolMap(List<Pool> pools) {
        this.pools = List.copyOf(pools);
    }

    public static PoolMap empty() {
        return new PoolMap(List.of());
    }

    public boolean isEmpty() {
        return pools.isEmpty();
    }

    /** Reads natshift.pools.file; a bad line fails with the file, line number and reason. */
    public static PoolMap load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("natshift.pools.file " + file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(lines, file.toString());
    }

    static PoolMap parse(List<String> lines, String origin) {
        List<Pool> pools = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = "natshift.pools.file " + origin + " line " + (i + 1) + ": ";
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(where + "expected 'name = cidr, cidr, ...'");
            }
            String name = line.substring(0, eq).strip();
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(where + "bad pool name '" + name + "'");
            }
            List<Cidr> cidrs = new ArrayList<>();
            for (String c : line.substring(eq + 1).split(",")) {
                cidrs.add(cidr(c.strip(), where));
            }
            pools.add(new Pool(name, cidrs));
        }
        return new PoolMap(pools);
    }

    private static Cidr cidr(String text, String where) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(where + "'" + text + "' is not a CIDR (address/prefix)");
        }
        byte[] addr = bytes(text.substring(0, slash));
        if (addr == null) {
            throw new IllegalArgumentException(where + "'" + text + "': not an IP address");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + "'" + text + "': bad prefix length", e);
        }
        if (prefix < 0 || prefix > addr.length * 8) {
            throw new IllegalArgumentException(where + "'" + text + "': prefix length out of range");
        }
        return new Cidr(addr, prefix);
    }

    /** The configured pool of an address, or null. */
    public String configured(String addr) {
        return configured(bytes(addr));
    }

    /** The configured pool of an address given as {@link #bytes}, or null. */
    String configured(byte[] b) {
        if (b == null) {
            return null;
        }
        for (Pool p : pools) {
            for (Cidr c : p.cidrs()) {
                if (c.contains(b)) {
                    return p.name();
                }
            }
        }
        return null;
    }

    /** The automatic block of an address: its /24 (IPv4) or /64 (IPv6); the address itself if unparsable. */
    public static String block(String addr) {
        byte[] b = bytes(addr);
        return b == null ? addr : block(b);
    }

    /** The automatic block of an address given as {@link #bytes} (changes an IPv6 array: its host half is zeroed). */
    static String block(byte[] b) {
        if (b.length == 4) {
            return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + ".0/24";
        }
        for (int i = 8; i < 16; i++) {
            b[i] = 0;
        }
        try {
            return InetAddress.getByAddress(b).getHostAddress() + "/64";
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a 16-byte address", e);   // getByAddress takes any 16 bytes
        }
    }

    /** Orders blocks by address (IPv4 before IPv6), so the smallest block names a merged pool deterministically. */
    static int compareBlocks(String a, String b) {
        byte[] x = bytes(a.substring(0, Math.max(0, a.indexOf('/'))));
        byte[] y = bytes(b.substring(0, Math.max(0, b.indexOf('/'))));
        if (x == null || y == null) {
            return a.compareTo(b);
        }
        if (x.length != y.length) {
            return Integer.compare(x.length, y.length);
        }
        return new BigInteger(1, x).compareTo(new BigInteger(1, y));
    }

    /** Literal IPv4/IPv6 only: never a DNS lookup. */
    static byte[] bytes(String addr) {
        if (addr == null || addr.isEmpty()) {
            return null;
        }
        boolean v6 = addr.indexOf(':') >= 0;
        if (!v6) {
            return ipv4(addr);   // every fact's public legs come here: no regex, no InetAddress
        }
        if (!addr.matches("[0-9A-Fa-f:.]+")) {
            return null;
        }
        try {
            return InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Dotted quad of decimal octets (1-3 digits, at most 255), or null. */
    private static byte[] ipv4(String addr) {
        byte[] out = new byte[4];
        int octet = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i < addr.length(); i++) {
            char c = addr.charAt(i);
            if (c >= '0' && c <= '9') {
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else if (c == '.' && digits > 0 && octet < 3) {
                out[octet++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return null;
            }
        }
        if (octet != 3 || digits == 0) {
            return null;
        }
        out[3] = (byte) value;
        return out;
    }
}
