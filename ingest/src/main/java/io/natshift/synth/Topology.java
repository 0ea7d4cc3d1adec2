package io.natshift.synth;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the synthetic traffic lives: gateways on 198.51.100.0/24 (and 2001:db8:ffff::/48), NAT pools
 * carved from 203.0.113.0/24 then 192.0.2.0/24 (RFC 5737), subscribers inside the carrier on
 * 100.64.0.0/10 (RFC 6598) or natively on 2001:db8:1::/48 (RFC 3849).
 */
public final class Topology {
    public static final int MAX_POOL_ADDRESSES = 2 * 254;
    public static final int MAX_GATEWAYS = 200;
    public static final int MAX_SUBSCRIBERS = (1 << 22) - 2;

    public record Gateway(int index, byte[] ipv4, byte[] ipv6, boolean strict, boolean overloaded) {
        String name() {
            return "gw" + index;
        }
    }

    public record NatPool(int index, boolean arbitrary, byte[][] addresses) {
        String name() {
            return "pool" + index;
        }
    }

    private final List<Gateway> gateways = new ArrayList<>();
    private final List<NatPool> pools = new ArrayList<>();

    public Topology(SynthOptions o) {
        int strict = (int) Math.round(o.strictGatewayFraction() * o.gateways());
        int overloaded = (int) Math.round(o.overloadedGatewayFraction() * o.gateways());
        for (int g = 0; g < o.gateways(); g++) {
            byte[] v4 = {(byte) 198, 51, 100, (byte) (10 + g)};
            byte[] v6 = Endpoint.address("2001:db8:ffff::" + Integer.toHexString(g + 1));
            gateways.add(new Gateway(g, v4, v6, g < strict, g >= o.gateways() - overloaded));
        }
        int arbitrary = (int) Math.round(o.arbitraryPoolFraction() * o.pools());
        int next = 0;
        for (int p = 0; p < o.pools(); p++) {
            byte[][] addresses = new byte[o.poolSize()][];
            for (int a = 0; a < o.poolSize(); a++, next++) {
                addresses[a] = next < 254
                        ? new byte[] {(byte) 203, 0, 113, (byte) (next + 1)}
                        : new byte[] {(byte) 192, 0, 2, (byte) (next - 254 + 1)};
            }
            pools.add(new NatPool(p, p < arbitrary, addresses));
        }
    }

    public List<Gateway> gateways() {
        return gateways;
    }

    public List<NatPool> pools() {
        return pools;
    }

    /** Inside address of subscriber {@code i}: 100.64.0.0/10 counted up, or 2001:db8:1::/48 for IPv6 ones. */
    static byte[] subscriberAddress(int i, boolean ipv6) {
        int n = i + 1;
        if (ipv6) {
            return Endpoint.address("2001:db8:1::" + Integer.toHexString(n >>> 16) + ":" + Integer.toHexString(n & 0xFFFF));
        }
        int host = (100 << 24) | (64 << 16) | n;
        return new byte[] {(byte) (host >>> 24), (byte) (host >>> 16), (byte) (host >>> 8), (byte) host};
    }
}
