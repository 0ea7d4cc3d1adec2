package io.natshift.topology.correlation;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.natshift.schemas.avro.NatBinding;
import io.natshift.schemas.avro.NatShiftAlert;
import io.natshift.schemas.avro.SessionSummary;

/**
 * Replaces subscriber addresses with a keyed hash (HMAC-SHA256 with the configured secret, first
 * 64 bits, hex): the same address always gives the same pseudonym, across records and restarts,
 * so joins and counts still work, while nobody without the secret can map it back by hashing the
 * address space. Ports are kept (they identify sockets, not people). Off: the identity.
 */
public final class Pseudonymizer {
    static final String PREFIX = "anon-";

    private final SecretKeySpec key;
    // Mac is not thread-safe; serializers are shared by the stream threads
    private final ThreadLocal<Mac> mac;

    private Pseudonymizer(byte[] secret) {
        this.key = secret == null ? null : new SecretKeySpec(secret, "HmacSHA256");
        this.mac = ThreadLocal.withInitial(this::newMac);
    }

    public static Pseudonymizer off() {
        return new Pseudonymizer(null);
    }

    public static Pseudonymizer withSecret(String secret) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("natshift.privacy.secret must be at least 16 characters when natshift.privacy.pseudonymize=true");
        }
        return new Pseudonymizer(secret.getBytes(StandardCharsets.UTF_8));
    }

    public boolean enabled() {
        return key != null;
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** An address (no port): its pseudonym, or itself when off. Null and "unknown" stay. */
    public String address(String addr) {
        if (key == null || addr == null || addr.equals("unknown") || addr.startsWith(PREFIX)) {
            return addr;
        }
        byte[] h = mac.get().doFinal(addr.getBytes(StandardCharsets.UTF_8));
        return PREFIX + HexFormat.of().formatHex(h, 0, 8);
    }

    /** An endpoint "ip:port" or "[v6]:port": the address part replaced, the port kept. */
    public String endpoint(String endpoint) {
        if (key == null || endpoint == null) {
            return endpoint;
        }
        int colon = endpoint.lastIndexOf(':');
        if (colon <= 0) {
            return address(endpoint);
        }
        String addr = endpoint.substring(0, colon);
        if (addr.startsWith("[") && addr.endsWith("]")) {
            addr = addr.substring(1, addr.length() - 1);
        }
        return address(addr) + endpoint.substring(colon);
    }

    /** Alerts: the subscriber, and the initiator endpoints when the alerting view was inside the NAT. */
    public NatShiftAlert alert(NatShiftAlert a) {
        if (key == null) {
            return a;
        }
        NatShiftAlert.Builder b = NatShiftAlert.newBuilder(a).setSubscriber(address(a.getSubscriber()));
        if ("inside".equals(a.getVantage())) {
            b.setBefore(endpoint(a.getBefore())).setAfter(endpoint(a.getAfter()));
        }
        return b.build();
    }

    /** Sessions summarised from an inside view name the subscriber's private address: replace it. */
    public SessionSummary session(SessionSummary s) {
        if (key == null || !"inside".equals(s.getVantage())) {
            return s;
        }
        return SessionSummary.newBuilder(s)
                .setInitiator(endpoint(s.getInitiator()))
                .setInitiatorNatT(endpoint(s.getInitiatorNatT()))
                .build();
    }

    /** Bindings: the subscriber and its inside endpoints (public NAT and gateway addresses are the operators', kept). */
    public NatBinding binding(NatBinding b) {
        if (key == null) {
            return b;
        }
        return NatBinding.newBuilder(b)
                .setSubscriber(address(b.getSubscriber()))
                .setInside500(endpoint(b.getInside500()))
                .setInside4500(endpoint(b.getInside4500()))
                .build();
    }
}
