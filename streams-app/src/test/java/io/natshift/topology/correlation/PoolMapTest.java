package io.natshift.topology.correlation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class PoolMapTest {
    @Test
    void shouldFindTheConfiguredPoolOfIpv4AndIpv6Addresses() {
        PoolMap map = PoolMap.parse(List.of("# comment", "cgn-1/a = 203.0.113.0/25, 2001:db8:5::/48  # trailing", "", "cgn-1/b = 203.0.113.128/25"), "pools.conf");
        assertThat(map.configured("203.0.113.127")).isEqualTo("cgn-1/a");
        assertThat(map.configured("203.0.113.128")).isEqualTo("cgn-1/b");
        assertThat(map.configured("2001:db8:5:ffff::1")).isEqualTo("cgn-1/a");
        assertThat(map.configured("198.51.100.1")).isNull();
        assertThat(map.configured("not-an-address")).isNull();
    }

    @Test
    void shouldNameTheFileAndLineOfABadPoolLine() {
        assertThatThrownBy(() -> PoolMap.parse(List.of("ok = 192.0.2.0/24", "bad = 192.0.2.0/33"), "pools.conf"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("natshift.pools.file pools.conf line 2: '192.0.2.0/33': prefix length out of range");
        assertThatThrownBy(() -> PoolMap.parse(List.of("no equals sign"), "p"))
                .hasMessageContaining("line 1: expected 'name = cidr, cidr, ...'");
        assertThatThrownBy(() -> PoolMap.parse(List.of("x = example.com/24"), "p")).hasMessageContaining("not an IP address");
    }

    @Test
    void shouldFallBackToTheSlash24AndSlash64Block() {
        assertThat(PoolMap.block("203.0.113.77")).isEqualTo("203.0.113.0/24");
        assertThat(PoolMap.block("2001:db8:1:2:3:4:5:6")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(PoolMap.compareBlocks("198.51.100.0/24", "203.0.113.0/24")).isNegative();
        assertThat(PoolMap.compareBlocks("9.0.0.0/24", "10.0.0.0/24")).isNegative();   // numeric, not text order
    }

    @Test
    void shouldReadDottedQuadsAsInetAddressDoesAndRejectEverythingElseWithoutALookup() throws Exception {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 10_000; i++) {
            String quad = random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256);
            assertThat(PoolMap.bytes(quad)).as(quad).isEqualTo(java.net.InetAddress.getByName(quad).getAddress());
        }
        for (String bad : List.of("256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4 ", " 1.2.3.4",
                "1.2.3.1000", "a.b.c.d", "1.2.3.-4", "example.com")) {
            assertThat(PoolMap.bytes(bad)).as(bad).isNull();
        }
        assertThat(PoolMap.bytes("2001:db8::1")).hasSize(16);
    }
}
