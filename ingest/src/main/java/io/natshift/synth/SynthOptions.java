package io.natshift.synth;

/**
 * Everything a synthetic capture depends on. Same options and seed, byte-identical files.
 *
 * @param arbitraryPoolFraction  share of NAT pools with arbitrary pooling (RFC 4787: a new external
 *                               address per connection); the rest pair all flows of a host to one address
 * @param strictGatewayFraction  share of gateways that ignore an IKE SA's packets from a new address
 * @param ipv6Fraction           share of subscribers on native IPv6 (no NAT, so no float)
 * @param loss                   probability that a packet is lost crossing the Internet
 * @param udp4500BlockedFraction share of subscribers whose carrier path drops UDP 4500
 * @param overloadedGatewayFraction share of gateways answering late (seconds), causing retransmission storms
 * @param addressUpdateFraction  share of established SAs whose outside address later changes (MOBIKE / NAT rebinding)
 * @param malformedFraction      probability that an extra, deliberately malformed frame follows an IKE frame
 * @param espPacketsPerSecond    ESP-in-UDP rate per established SA and direction
 */
public record SynthOptions(
        int subscribers,
        long durationMicros,
        long startMicros,
        long seed,
        IkeMode ike,
        double arbitraryPoolFraction,
        int pools,
        int poolSize,
        double strictGatewayFraction,
        int gateways,
        Vantage vantage,
        double ipv6Fraction,
        double loss,
        double udp4500BlockedFraction,
        double overloadedGatewayFraction,
        double addressUpdateFraction,
        double malformedFraction,
        double espPacketsPerSecond,
        int maxAttempts) {

    public enum IkeMode { V1_MAIN, V1_AGGRESSIVE, V2, MIX }

    public enum Vantage { OUTSIDE, INSIDE, BOTH }

    public static final long DEFAULT_START_MICROS = 1_767_225_600_000_000L; // 2026-01-01T00:00:00Z

    public static SynthOptions defaults() {
        return new SynthOptions(100, 600_000_000L, DEFAULT_START_MICROS, 1L, IkeMode.MIX, 1.0, 2, 8, 1.0, 2,
                Vantage.OUTSIDE, 0.05, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 4);
    }

    public SynthOptions {
        check(subscribers >= 1 && subscribers <= Topology.MAX_SUBSCRIBERS,
                "--subscribers must be 1.." + Topology.MAX_SUBSCRIBERS + " (100.64.0.0/10 holds the inside addresses)");
        check(durationMicros >= 1_000_000L, "--duration must be at least 1s");
        check(pools >= 1 && poolSize >= 1, "--pools and the pool size must be at least 1");
        check((long) pools * poolSize <= Topology.MAX_POOL_ADDRESSES,
                "--pools x pool size may be at most " + Topology.MAX_POOL_ADDRESSES + " (RFC 5737 ranges)");
        check(gateways >= 1 && gateways <= Topology.MAX_GATEWAYS, "--gateways must be 1.." + Topology.MAX_GATEWAYS);
        check(maxAttempts >= 1, "max attempts must be at least 1");
        check(espPacketsPerSecond >= 0, "--esp-rate must not be negative");
        for (double f : new double[] {arbitraryPoolFraction, strictGatewayFraction, ipv6Fraction, loss,
                udp4500BlockedFraction, overloadedGatewayFraction, addressUpdateFraction, malformedFraction}) {
            check(f >= 0 && f <= 1, "fractions must be between 0 and 1, got " + f);
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.subscribers = subscribers;
        b.durationMicros = durationMicros;
        b.startMicros = startMicros;
        b.seed = seed;
        b.ike = ike;
        b.arbitraryPoolFraction = arbitraryPoolFraction;
        b.pools = pools;
        b.poolSize = poolSize;
        b.strictGatewayFraction = strictGatewayFraction;
        b.gateways = gateways;
        b.vantage = vantage;
        b.ipv6Fraction = ipv6Fraction;
        b.loss = loss;
        b.udp4500BlockedFraction = udp4500BlockedFraction;
        b.overloadedGatewayFraction = overloadedGatewayFraction;
        b.addressUpdateFraction = addressUpdateFraction;
        b.malformedFraction = malformedFraction;
        b.espPacketsPerSecond = espPacketsPerSecond;
        b.maxAttempts = maxAttempts;
        return b;
    }

    public static Builder builder() {
        return defaults().toBuilder();
    }

    /** Options one at a time, for tests and the CLI. */
    public static final class Builder {
        private int subscribers;
        private long durationMicros;
        private long startMicros;
        private long seed;
        private IkeMode ike;
        private double arbitraryPoolFraction;
        private int pools;
        private int poolSize;
        private double strictGatewayFraction;
        private int gateways;
        private Vantage vantage;
        private double ipv6Fraction;
        private double loss;
        private double udp4500BlockedFraction;
        private double overloadedGatewayFraction;
        private double addressUpdateFraction;
        private double malformedFraction;
        private double espPacketsPerSecond;
        private int maxAttempts;

        public Builder subscribers(int v) {
            subscribers = v;
            return this;
        }

        public Builder durationMicros(long v) {
            durationMicros = v;
            return this;
        }

        public Builder startMicros(long v) {
            startMicros = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder ike(IkeMode v) {
            ike = v;
            return this;
        }

        public Builder arbitraryPoolFraction(double v) {
            arbitraryPoolFraction = v;
            return this;
        }

        public Builder pools(int v) {
            pools = v;
            return this;
        }

        public Builder poolSize(int v) {
            poolSize = v;
            return this;
        }

        public Builder strictGatewayFraction(double v) {
            strictGatewayFraction = v;
            return this;
        }

        public Builder gateways(int v) {
            gateways = v;
            return this;
        }

        public Builder vantage(Vantage v) {
            vantage = v;
            return this;
        }

        public Builder ipv6Fraction(double v) {
            ipv6Fraction = v;
            return this;
        }

        public Builder loss(double v) {
            loss = v;
            return this;
        }

        public Builder udp4500BlockedFraction(double v) {
            udp4500BlockedFraction = v;
            return this;
        }

        public Builder overloadedGatewayFraction(double v) {
            overloadedGatewayFraction = v;
            return this;
        }

        public Builder addressUpdateFraction(double v) {
            addressUpdateFraction = v;
            return this;
        }

        public Builder malformedFraction(double v) {
            malformedFraction = v;
            return this;
        }

        public Builder espPacketsPerSecond(double v) {
            espPacketsPerSecond = v;
            return this;
        }

        public Builder maxAttempts(int v) {
            maxAttempts = v;
            return this;
        }

        public SynthOptions build() {
            return new SynthOptions(subscribers, durationMicros, startMicros, seed, ike, arbitraryPoolFraction, pools, poolSize, strictGatewayFraction, gateways, vantage, ipv6Fraction, loss, udp4500BlockedFraction, overloadedGatewayFraction, addressUpdateFraction, malformedFraction, espPacketsPerSecond, maxAttempts);
        }
    }
}
