package io.natshift.synth;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One subscriber's life: negotiation attempts planned a few dozen packets at a time (with the
 * gateway's behaviour, NAT mappings, loss and retransmission timers), then, once an SA is up, ESP,
 * keepalives, DPD / liveness, rekeys and address updates produced lazily, one packet per call.
 * Memory per session is bounded by one attempt's plan, whatever the capture duration.
 */
final class Session {
    /** strongSwan's retransmission schedule (retransmit_timeout 4 s, base 1.8): about 4, 11 and 24 s. */
    static final long[] RETRANSMIT = {0, 4_000_000L, 11_200_000L, 24_200_000L};
    static final long CLIENT_ERROR_TIMEOUT = 3_000_000L;
    static final long KEEPALIVE_INTERVAL = 20_000_000L;
    static final long NEVER = Long.MAX_VALUE;
    private static final Comparator<Emission> BY_TIME =
            Comparator.comparingLong((Emission e) -> e.time).thenComparingLong(e -> e.sequence);

    final Subscriber subscriber;
    private final SynthOptions options;
    private final SplittableRandom random;
    private final Planner planner;
    private final long end;
    private final List<Emission> pending = new ArrayList<>();
    private int pendingHead;
    private long sequence;
    private boolean done;
    /** Key in the generator's agenda, kept here so buckets need not store it. */
    long queuedAt;

    // The established SA, once there is one.
    private Attempt sa;
    private Endpoint outside4500;
    private Endpoint inside4500;
    private Endpoint gatewayNatT;
    private int espSpiOut;
    private int espSpiIn;
    private long espSeqOut;
    private long espSeqIn;
    private long nextEspUp = NEVER;
    private long nextEspDown = NEVER;
    private long nextKeepalive = NEVER;
    private long nextDpd = NEVER;
    private long nextRekey = NEVER;
    private long nextUpdate = NEVER;
    private final Emission steady = new Emission();
    final List<AddressUpdate> updates = new ArrayList<>(1);

    Session(Subscriber subscriber, SynthOptions options, long seed, long firstAttempt, Planner planner) {
        this.subscriber = subscriber;
        this.options = options;
        this.random = new SplittableRandom(seed);
        this.planner = planner;
        this.end = options.startMicros() + options.durationMicros();
        planAttempt(firstAttempt);
    }

    /** Time of the next packet, {@link #NEVER} when the session is over. */
    long peekTime() {
        long t = pendingHead < pending.size() ? pending.get(pendingHead).time : NEVER;
        long s = steadyTime();
        return Math.min(t, s);
    }

    private long steadyTime() {
        if (sa == null) {
            return NEVER;
        }
        return Math.min(Math.min(Math.min(nextEspUp, nextEspDown), Math.min(nextKeepalive, nextDpd)),
                Math.min(nextRekey, nextUpdate));
    }

    boolean done() {
        return done;
    }

    /** The next packet; the returned object may be reused by the following call. */
    Emission next() {
        while (true) {
            long p = pendingHead < pending.size() ? pending.get(pendingHead).time : NEVER;
            long s = steadyTime();
            if (p == NEVER && s == NEVER) {
                done = true;
                return null;
            }
            if (p <= s) {
                Emission e = pending.get(pendingHead);
                pending.set(pendingHead++, null);
                if (pendingHead == pending.size()) {
                    pending.clear();
                    pendingHead = 0;
                }
                if (e.time >= end) {
                    continue;   // planned past the end of the capture: never written
                }
                return e;
            }
            Emission e = steadyStep(s);
            if (e != null) {
                return e;
            }
        }
    }

    // ---- planning of attempts ----

    void planAttempt(long t) {
        int n = subscriber.attempts.size();
        if (n >= options.maxAttempts() || t >= end) {
            return;
        }
        Planner.Plan plan = planner.plan(this, subscriber, n + 1, t, random);
        subscriber.attempts.add(plan.attempt());
        plan.attempt().pending = plan.emissions().size();
        plan.attempt().planned = true;
        add(plan.emissions());
        if (plan.established()) {
            establish(plan);
        } else if (plan.nextAttemptAt() != NEVER) {
            planAttempt(plan.nextAttemptAt());
        }
    }

    private void add(List<Emission> emissions) {
        for (Emission e : emissions) {
            e.sequence = sequence++;
        }
        if (pendingHead > 0) {
            pending.subList(0, pendingHead).clear();
            pendingHead = 0;
        }
        pending.addAll(emissions);
        pending.sort(BY_TIME);
    }

    private void establish(Planner.Plan plan) {
        sa = plan.attempt();
        outside4500 = plan.clientOutsideNatT();
        inside4500 = plan.clientInsideNatT();
        gatewayNatT = plan.gatewayNatT();
        long t = plan.steadyFrom();
        espSpiOut = random.nextInt(0x100, Integer.MAX_VALUE);
        espSpiIn = random.nextInt(0x100, Integer.MAX_VALUE);
        nextEspUp = t + exp(options.espPacketsPerSecond());
        nextEspDown = t + exp(options.espPacketsPerSecond());
        nextKeepalive = subscriber.natted() ? t + KEEPALIVE_INTERVAL : NEVER;
        nextDpd = t + random.nextLong(30_000_000L, 120_000_000L);
        nextRekey = t + random.nextLong(120_000_000L, 900_000_000L);
        if (random.nextDouble() < options.addressUpdateFraction() && subscriber.natted()) {
            nextUpdate = t + random.nextLong(20_000_000L, 200_000_000L);
        }
        clampToEnd();
    }

    private void clampToEnd() {
        nextEspUp = clamp(nextEspUp);
        nextEspDown = clamp(nextEspDown);
        nextKeepalive = clamp(nextKeepalive);
        nextDpd = clamp(nextDpd);
        nextRekey = clamp(nextRekey);
        nextUpdate = clamp(nextUpdate);
    }

    private long clamp(long t) {
        return t >= end ? NEVER : t;
    }

    private long exp(double ratePerSecond) {
        if (ratePerSecond <= 0) {
            return NEVER / 2;
        }
        double u = random.nextDouble();
        return 1 + (long) (-Math.log(1 - u) / ratePerSecond * 1_000_000.0);
    }

    private Emission steadyStep(long t) {
        Emission e = steady;
        e.attempt = null;
        e.role = Emission.ROLE_NONE;
        e.update = null;
        e.ike = null;
        e.time = t;
        e.latencyMicros = subscriber.latencyMicros;
        e.clientInside = inside4500;
        e.clientOutside = outside4500;
        e.gateway = gatewayNatT;
        e.natT = subscriber.natted();
        if (t == nextEspUp || t == nextEspDown) {
            boolean up = t == nextEspUp;
            e.kind = Emission.ESP;
            e.toGateway = up;
            e.espSpi = up ? espSpiIn : espSpiOut;   // the SPI the receiver chose
            e.espSeq = up ? ++espSeqOut : ++espSeqIn;
            e.espSize = random.nextDouble() < 0.6 ? random.nextInt(24, 160) : random.nextInt(900, 1360);
            e.lost = random.nextDouble() < options.loss();
            if (up) {
                nextEspUp = clamp(t + exp(options.espPacketsPerSecond()));
            } else {
                nextEspDown = clamp(t + exp(options.espPacketsPerSecond()));
            }
            return e;
        }
        if (t == nextKeepalive) {
            e.kind = Emission.KEEPALIVE;
            e.toGateway = true;
            e.lost = random.nextDouble() < options.loss();
            nextKeepalive = clamp(t + KEEPALIVE_INTERVAL);
            return e;
        }
        if (t == nextDpd) {
            add(planner.liveness(this, sa, t, random));
            nextDpd = clamp(t + random.nextLong(60_000_000L, 180_000_000L));
            return null;
        }
        if (t == nextRekey) {
            add(planner.rekey(this, sa, t, random));
            nextRekey = clamp(t + random.nextLong(600_000_000L, 1_800_000_000L));
            return null;
        }
        // address update
        nextUpdate = NEVER;
        Endpoint from = outside4500;
        Endpoint to = planner.remap(subscriber, from, random);
        AddressUpdate update = new AddressUpdate(sa, from, to, sa.ikeVersion == 2 ? "mobike" : "nat-rebinding");
        outside4500 = to;
        updates.add(update);
        add(planner.addressUpdate(this, sa, update, inside4500, t, random));
        return null;
    }

    Endpoint outside4500() {
        return outside4500;
    }

    Endpoint inside4500() {
        return inside4500;
    }

    Endpoint gatewayNatT() {
        return gatewayNatT;
    }
}
