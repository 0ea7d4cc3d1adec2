package io.natshift.synth;

import io.natshift.decode.Addresses;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IP address (4 or 16 bytes) and a port: one side of a UDP or TCP flow. */
public record Endpoint(byte[] address, int port) {

    public static Endpoint of(String literal, int port) {
        return new Endpoint(address(literal), port);
    }

    public static byte[] address(String literal) {
        try {
            // Literals only: InetAddress does no lookup for a numeric address.
            if (!Character.isDigit(literal.charAt(0)) && literal.indexOf(':') < 0) {
                throw new IllegalArgumentException("not an IP literal: " + literal);
            }
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + literal, e);
        }
    }

    public Endpoint withPort(int newPort) {
        return new Endpoint(address, newPort);
    }

    public boolean isIpv6() {
        return address.length == 16;
    }

    public boolean sameAddress(Endpoint other) {
        return java.util.Arrays.equals(address, other.address);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint e && port == e.port && java.util.Arrays.equals(address, e.address);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(address) * 31 + port;
    }

    /** {@code ip:port}, IPv6 in brackets, as the truth file and natshift's reports write endpoints. */
    @Override
    public String toString() {
        String ip = Addresses.format(address);
        return (isIpv6() ? "[" + ip + "]" : ip) + ":" + port;
    }
}
