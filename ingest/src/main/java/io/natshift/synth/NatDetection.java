package io.natshift.synth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * NAT discovery hashes. RFC 3947 3.2 (IKEv1 NAT-D): HASH = HASH(CKY-I | CKY-R | IP | Port) with the
 * negotiated hash; RFC 7296 2.23 (NAT_DETECTION_*_IP): SHA-1(SPIi | SPIr | IP address | Port), SPIr
 * zero in the IKE_SA_INIT request. We negotiate SHA-1 for IKEv1 too, so both are SHA-1 here.
 */
final class NatDetection {
    static final int SHA1_SIZE = 20;

    private final MessageDigest sha1;
    private final byte[] scratch = new byte[8 + 8 + 16 + 2];

    NatDetection() {
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }

    byte[] hash(long initiatorSpi, long responderSpi, Endpoint endpoint) {
        byte[] s = scratch;
        put64(s, 0, initiatorSpi);
        put64(s, 8, responderSpi);
        byte[] ip = endpoint.address();
        System.arraycopy(ip, 0, s, 16, ip.length);
        int p = 16 + ip.length;
        s[p] = (byte) (endpoint.port() >>> 8);
        s[p + 1] = (byte) endpoint.port();
        sha1.update(s, 0, p + 2);
        return sha1.digest();
    }

    private static void put64(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }
}
