package io.natshift.topology.correlation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

import io.natshift.schemas.avro.NatBinding;

/** Merging partials must give exactly what adding every fact one by one gave; a held partial reads back as saved. */
class PartialsMergeTest {
    private static final String[] CAUSES = {"nat-shift", "no-response", "no-response-after-float", "notify:NO_PROPOSAL_CHOSEN",
        "notify:INVALID_KE_PAYLOAD", "initiator-gave-up", "stalled-after-float", null};

    private static List<NatBinding> facts(long seed, int n) {
        Random r = new Random(seed);
        List<NatBinding> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean established = r.nextInt(3) == 0;
            boolean shift = r.nextInt(4) == 0;
            long start = 1_741_944_000_000L + r.nextInt(3_600_000);
            String subscriber = "10.0." + r.nextInt(8) + "." + r.nextInt(250);
            out.add(NatBinding.newBuilder().setSaId("sa-" + i).setInitiatorSpi("i").setResponderSpi("r").setIkeVersion(2)
                    .setSubscriber(subscriber).setSubscriberSource(r.nextBoolean() ? "inside" : "public")
                    .setPublic500("203.0.113." + r.nextInt(250) + ":500").setPublic4500("198.51.100." + r.nextInt(250) + ":4500")
                    .setDestinationNat(false).setGateway("gw-" + r.nextInt(3)).setVantages(List.of("outside"))
                    .setFloated(true).setNatShift(shift).setOutcome(established ? "established" : "failed")
                    .setCause(established ? null : CAUSES[r.nextInt(CAUSES.length)])
                    .setSetupMillis(established ? (long) r.nextInt(20_000) : null).setRetransmissions(r.nextInt(5))
                    .setStartMillis(start).setEndMillis(start + r.nextInt(200_000)).build());
        }
        return out;
    }

    /** Adds the facts one by one, and again in random runs summed into partials that are then merged in order. */
    private static <A> void assertMergeEqualsAdd(Supplier<A> create, BiConsumer<A, NatBinding> add, BiConsumer<A, A> merge,
                                                 Serde<A> serde, long seed) {
        List<NatBinding> all = facts(seed, 5_000);
        A direct = create.get();
        all.forEach(f -> add.accept(direct, f));
        Random r = new Random(seed);
        A merged = create.get();
        int i = 0;
        while (i < all.size()) {
            A partial = create.get();
            int end = Math.min(all.size(), i + 1 + r.nextInt(200));
            for (; i < end; i++) {
                add.accept(partial, all.get(i));
            }
            // through the repartition topic's serde, as the aggregate sees it
            merge.accept(merged, serde.deserializer().deserialize("t", serde.serializer().serialize("t", partial)));
        }
        assertThat(serde.serializer().serialize("t", merged)).isEqualTo(serde.serializer().serialize("t", direct));
    }

    @Test
    void shouldMergeGatewayPartialsIntoTheCountsTheFactsAddUpTo() {
        for (long seed = 1; seed <= 5; seed++) {
            assertMergeEqualsAdd(Counts.Gateway::new, Counts.Gateway::add, Counts.Gateway::merge, Counts.gatewaySerde(), seed);
        }
    }

    @Test
    void shouldMergeSubscriberPartialsIntoTheCountsTheFactsAddUpTo() {
        for (long seed = 1; seed <= 5; seed++) {
            assertMergeEqualsAdd(Counts.Subscriber::new, Counts.Subscriber::add, Counts.Subscriber::merge, Counts.subscriberSerde(), seed);
        }
    }

    @Test
    void shouldMergePoolPartialsIntoTheCountsAndSketchTheFactsAddUpTo() {
        for (long seed = 1; seed <= 5; seed++) {
            assertMergeEqualsAdd(Counts.Pool::new, Counts.Pool::add, Counts.Pool::merge, Counts.poolSerde(), seed);
        }
    }

    @Test
    void shouldKeepTheKSmallestHashesOfBothSketchesWhenMerging() {
        Random r = new Random(3);
        DistinctSketch a = new DistinctSketch();
        DistinctSketch b = new DistinctSketch();
        DistinctSketch both = new DistinctSketch();
        for (int i = 0; i < 3_000; i++) {
            String v = "s" + r.nextInt(2_500);   // overlapping values, over K in total
            (r.nextBoolean() ? a : b).add(v);
            both.add(v);
        }
        a.merge(b);
        assertThat(a.hashes).isEqualTo(both.hashes).hasSize(DistinctSketch.K);
        DistinctSketch empty = new DistinctSketch();
        empty.merge(new DistinctSketch());
        assertThat(empty.hashes).isEmpty();
    }

    @Test
    void shouldCarryAPoolPartialsShiftTargetsAndCountsThroughItsSerde() {
        PoolPartial p = new PoolPartial();
        PoolMap pools = PoolMap.empty();
        for (NatBinding f : facts(9, 300)) {
            p.add(pools, PoolPartial.BLOCK + "203.0.113.0/24", f);
        }
        assertThat(p.shiftedTo).isNotEmpty().allMatch(b -> b.startsWith("198.51.100."));
        Serde<PoolPartial> serde = PoolPartial.serde();
        byte[] bytes = serde.serializer().serialize("t", p);

        PoolPartial back = serde.deserializer().deserialize("t", bytes);

        assertThat(back.shiftedTo).isEqualTo(p.shiftedTo);
        assertThat(Counts.poolSerde().serializer().serialize("t", back.counts))
                .isEqualTo(Counts.poolSerde().serializer().serialize("t", p.counts));
        for (int cut = 1; cut < 20; cut++) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> serde.deserializer().deserialize("pool-partials", truncated))
                    .hasMessageContaining("truncated").hasMessageContaining("pool-partials");
        }
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {9, 0, 0}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("version 9");
    }

    @Test
    void shouldReadAHeldPartialBackAsItWasSavedAndRejectWhatIsNotOne() {
        Counts.Gateway g = new Counts.Gateway();
        facts(11, 50).forEach(g::add);
        Serde<Counts.Gateway> serde = Counts.gatewaySerde();
        byte[] saved = Partials.encode(1_741_944_012_345L, serde.serializer().serialize("t", g));

        Partials.Sum<Counts.Gateway> back = Partials.decode("gateway|", "gateway|1741944000000|gw-1", saved, serde);

        assertThat(back.key).isEqualTo("gw-1");
        assertThat(back.start).isEqualTo(1_741_944_000_000L);
        assertThat(back.timestamp).isEqualTo(1_741_944_012_345L);
        assertThat(back.stored).isTrue();
        assertThat(back.dirty).isFalse();
        assertThat(serde.serializer().serialize("t", back.partial)).isEqualTo(serde.serializer().serialize("t", g));
        // a key with a '|' in it (IPv6 has none, but pool names are the operator's) stays whole
        assertThat(Partials.decode("pool|", "pool|7|pool:a|b", Partials.encode(1, PoolPartial.serde().serializer()
                .serialize("t", new PoolPartial())), PoolPartial.serde()).key).isEqualTo("pool:a|b");

        assertThatThrownBy(() -> Partials.decode("gateway|", "gateway|1741944000000|gw-1", Arrays.copyOf(saved, 7), serde))
                .isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> Partials.decode("gateway|", "gateway|soon|gw-1", saved, serde))
                .isInstanceOf(SerializationException.class).hasMessageContaining("start");
        assertThatThrownBy(() -> Partials.decode("gateway|", "gateway|1741944000000", saved, serde))
                .isInstanceOf(SerializationException.class);
        byte[] otherVersion = saved.clone();
        otherVersion[Long.BYTES] = 9;
        assertThatThrownBy(() -> Partials.decode("gateway|", "gateway|1741944000000|gw-1", otherVersion, serde))
                .hasMessageContaining("version 9");
    }

    @Test
    void shouldKeyAFloatByItsConfiguredPoolOrItsBlockAndCountUnparsableLegs() {
        PoolMap pools = PoolMap.parse(List.of("cgn/a = 203.0.113.0/25"), "test");
        CorrelationCounters counters = new CorrelationCounters();
        NatBinding f = facts(4, 1).get(0);
        NatBinding inPool = NatBinding.newBuilder(f).setPublic500("203.0.113.5:500").build();
        NatBinding outside = NatBinding.newBuilder(f).setPublic500("203.0.113.200:500").build();
        NatBinding bad = NatBinding.newBuilder(f).setPublic500("garbage").build();
        NatBinding notFloated = NatBinding.newBuilder(f).setFloated(false).build();

        assertThat(PoolPartial.key(pools, inPool, counters)).isEqualTo("pool:cgn/a");
        assertThat(PoolPartial.key(pools, outside, counters)).isEqualTo("block:203.0.113.0/24");
        assertThat(PoolPartial.key(pools, notFloated, counters)).isNull();
        assertThat(counters.unparsableAddresses()).isZero();
        assertThat(PoolPartial.key(pools, bad, counters)).isNull();
        assertThat(counters.unparsableAddresses()).isEqualTo(1);
    }
}
