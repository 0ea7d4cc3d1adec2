package io.natshift.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;

import org.junit.jupiter.api.Test;

class AddressesTest {
    private static String v6(String hex) {
        return Addresses.format(HexFormat.of().parseHex(hex));
    }

    @Test
    void shouldFormatIpv6PerRfc5952() {
        assertThat(v6("20010db8000000000000000000000001")).isEqualTo("2001:db8::1");
        assertThat(v6("00000000000000000000000000000000")).isEqualTo("::");
        assertThat(v6("20010db8000000010000000000000001")).isEqualTo("2001:db8:0:1::1");
        assertThat(v6("20010db8000000000001000000000001")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(v6("20010db800010001000100010001abcd")).isEqualTo("2001:db8:1:1:1:1:1:abcd");
        assertThat(v6("20010db8000100000001000100010001")).isEqualTo("2001:db8:1:0:1:1:1:1");
        assertThat(v6("fe800000000000000000000000000000")).isEqualTo("fe80::");
    }

    @Test
    void shouldBracketIpv6Endpoints() {
        assertThat(Addresses.endpoint("2001:db8::1", 4500)).isEqualTo("[2001:db8::1]:4500");
        assertThat(Addresses.endpoint("198.51.100.7", 500)).isEqualTo("198.51.100.7:500");
    }
}
