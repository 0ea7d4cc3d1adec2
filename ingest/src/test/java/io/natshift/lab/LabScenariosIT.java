package io.natshift.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natshift.decode.IkeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * The incident reproduced with real strongSwan peers (IKEv1 aggressive mode, PSK, NAT-T), a real
 * Linux NAT (nftables) and real captures, in network namespaces built by lab/run.sh. Each scenario
 * is judged twice: by the truth the NAT's conntrack table and strongSwan report, and by what
 * natshift's decoder reads from the gateway-side (outside) and subscriber-side (inside) captures.
 * Needs root, iproute2, nftables, conntrack, tcpdump, iputils-ping, python3 and strongSwan; a missing
 * one, or a kernel that refuses network namespaces, fails the test with lab/run.sh's message.
 */
class LabScenariosIT {

    private static final int SUBSCRIBERS = 2;
    private static final int IKE_PORT = 500;
    private static final int NAT_T_PORT = 4500;
    private static final int IKEV1_AGGRESSIVE = 4;
    private static final int IKEV2_IKE_SA_INIT = 34;
    private static final int IKEV2_IKE_AUTH = 35;

    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path RUN_SH = MODULE.getParent().resolve("lab/run.sh");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldShiftPoolAddressAtFloatAndNeverBringTunnelsUpWhenNatIsArbitraryAndGatewayStrict() throws Exception {
        Scenario s = run("arbitrary", "strict", "v1-aggressive");
        for (JsonNode sa : s.sas()) {
            assertThat(sa.get("tunnelUp").asBoolean()).as("tunnel of SA %s", sa.get("initiatorSpi")).isFalse();
        }
        // The first attempt of each subscriber runs its whole course inside the observation window;
        // the initiator's later attempts (new cookies, as in the incident) may be cut short by the teardown.
        for (JsonNode sa : s.firstAttempts()) {
            assertShiftSeenAtGatewayLink(s, sa);
            // the incident's signature: the gateway keeps answering the old address, never the new one
            List<IkeMessage> fromGateway = fromGateway(s, sa);
            assertThat(fromGateway).extracting(IkeMessage::dstAddrText).containsOnly(pool(sa, IKE_PORT));
            assertThat(fromGateway).filteredOn(m -> m.exchangeType() == IKEV1_AGGRESSIVE)
                    .as("aggressive-mode reply and its retransmissions to %s", pool(sa, IKE_PORT)).hasSizeGreaterThanOrEqualTo(2);
        }
        assertThat(s.truth().at("/subscribers").findValues("pool500")).hasSize(SUBSCRIBERS);
        assertThat(s.truth().get("gatewayFilterDropped4500").asInt()).as("UDP 4500 packets the strict filter dropped").isPositive();
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldBringTunnelsUpAtTheNewAddressWhenNatIsArbitraryAndGatewayStock() throws Exception {
        Scenario s = run("arbitrary", "stock", "v1-aggressive");
        assertEverySubscriberHasATunnelUp(s);
        for (JsonNode sa : s.firstAttempts()) {
            assertShiftSeenAtGatewayLink(s, sa);
            // stock strongSwan follows the float: its answers go to the UDP 4500 pool address
            assertThat(fromGateway(s, sa)).extracting(IkeMessage::dstAddrText).contains(pool(sa, NAT_T_PORT));
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldKeepOnePoolAddressAndBringTunnelsUpWhenNatIsPairedAndGatewayStrict() throws Exception {
        Scenario s = run("paired", "strict", "v1-aggressive");
        assertEverySubscriberHasATunnelUp(s);
        assertThat(s.truth().get("gatewayFilterDropped4500").asInt()).as("UDP 4500 packets the strict filter dropped").isZero();
        s.firstAttempts().forEach(sa -> assertSameAddressSeenAtGatewayLink(s, sa));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldKeepOnePoolAddressAndBringTunnelsUpWhenNatIsPairedAndGatewayStock() throws Exception {
        Scenario s = run("paired", "stock", "v1-aggressive");
        assertEverySubscriberHasATunnelUp(s);
        s.firstAttempts().forEach(sa -> assertSameAddressSeenAtGatewayLink(s, sa));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldStallAtIkeAuthFromTheNewAddressWhenNatIsArbitraryAndGatewayStrictWithIkev2() throws Exception {
        Scenario s = run("arbitrary", "strict", "v2");
        for (JsonNode sa : s.sas()) {
            assertThat(sa.get("tunnelUp").asBoolean()).as("tunnel of SA %s", sa.get("initiatorSpi")).isFalse();
        }
        assertThat(s.truth().get("gatewayFilterDropped4500").asInt()).as("UDP 4500 packets the strict filter dropped").isPositive();
        for (JsonNode sa : s.firstAttempts()) {
            assertShiftSeenAtGatewayLink(s, sa);
            // IKEv2: the responder answers IKE_SA_INIT only; the initiator resends IKE_AUTH from the new address
            assertThat(fromGateway(s, sa)).extracting(IkeMessage::dstAddrText, IkeMessage::exchangeType)
                    .containsOnly(tuple(pool(sa, IKE_PORT), IKEV2_IKE_SA_INIT));
            assertThat(ofSa(s.outside(), sa)).filteredOn(m -> m.exchangeType() == IKEV2_IKE_AUTH)
                    .as("IKE_AUTH and its retransmissions").hasSizeGreaterThanOrEqualTo(2)
                    .extracting(IkeMessage::srcAddrText).containsOnly(pool(sa, NAT_T_PORT));
        }
    }

    private record Scenario(JsonNode truth, List<JsonNode> sas, List<IkeMessage> outside, List<IkeMessage> inside) {
        String gateway() {
            return truth.get("gateway").asText();
        }

        /** truth.json lists each subscriber's SAs in the order strongSwan started them. */
        List<JsonNode> firstAttempts() {
            return sas.stream().collect(Collectors.toMap(sa -> sa.get("subscriber").asText(), sa -> sa, (a, b) -> a))
                    .values().stream().toList();
        }
    }

    private static Scenario run(String nat, String gateway, String ike) throws IOException, InterruptedException {
        if (!Files.isExecutable(RUN_SH)) {
            fail("lab script missing or not executable: " + RUN_SH);
        }
        String name = nat + "-" + gateway + "-" + ike;
        Path out = MODULE.resolve("target/lab/" + name);
        Files.createDirectories(out);
        Path log = out.resolveSibling(name + ".log");
        Process p = new ProcessBuilder(RUN_SH.toString(), nat, gateway, "--ike", ike,
                "--subscribers", String.valueOf(SUBSCRIBERS), "--out", out.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(80, TimeUnit.SECONDS)) {
            p.destroy(); // run.sh's EXIT trap tears the namespaces down
            p.waitFor(15, TimeUnit.SECONDS);
            fail("lab/run.sh " + name + " did not finish in 80 s; log " + log);
        }
        if (p.exitValue() != 0) {
            // exit 3 = the machine cannot host the lab (kernel refuses namespaces, tool missing): say so
            fail("lab/run.sh " + name + " exited " + p.exitValue() + ":\n" + Files.readString(log));
        }
        JsonNode truth = JSON.readTree(out.resolve("truth.json").toFile());
        List<JsonNode> sas = new ArrayList<>();
        truth.get("sas").forEach(sa -> {
            if (sa.hasNonNull("subscriber")) {
                sas.add(sa);
            }
        });
        assertThat(sas).as("SAs strongSwan reported in " + out).isNotEmpty();
        Scenario s = new Scenario(truth, sas,
                PcapIkeMessages.read(out.resolve("outside.pcap")), PcapIkeMessages.read(out.resolve("inside.pcap")));
        for (JsonNode sa : sas) {
            assertThat(sa.hasNonNull("pool500") && sa.hasNonNull("pool4500"))
                    .as("conntrack recorded both flows of %s", sa.get("subscriber")).isTrue();
        }
        assertThat(s.firstAttempts()).hasSize(SUBSCRIBERS);
        s.firstAttempts().forEach(sa -> assertInsideAddressConstant(s, sa));
        return s;
    }

    private static String pool(JsonNode sa, int port) {
        return sa.get(port == IKE_PORT ? "pool500" : "pool4500").get("address").asText();
    }

    private static List<IkeMessage> ofSa(List<IkeMessage> messages, JsonNode sa) {
        String ispi = sa.get("initiatorSpi").asText();
        return messages.stream().filter(m -> PcapIkeMessages.spi(m.initiatorSpi()).equals(ispi)).toList();
    }

    private static Set<String> sourcesAtGatewayLink(Scenario s, JsonNode sa, int dstPort) {
        return ofSa(s.outside(), sa).stream()
                .filter(m -> m.dstAddrText().equals(s.gateway()) && m.dstPort() == dstPort)
                .map(IkeMessage::srcAddrText).collect(Collectors.toSet());
    }

    private static List<IkeMessage> fromGateway(Scenario s, JsonNode sa) {
        return ofSa(s.outside(), sa).stream().filter(m -> m.srcAddrText().equals(s.gateway())).toList();
    }

    private static void assertShiftSeenAtGatewayLink(Scenario s, JsonNode sa) {
        assertThat(sa.get("shifted").asBoolean()).as("conntrack shows a shift for %s", sa.get("subscriber")).isTrue();
        assertThat(sourcesAtGatewayLink(s, sa, IKE_PORT)).as("UDP 500 sources of SA %s", sa.get("initiatorSpi"))
                .containsExactly(pool(sa, IKE_PORT));
        assertThat(sourcesAtGatewayLink(s, sa, NAT_T_PORT)).as("UDP 4500 sources of SA %s", sa.get("initiatorSpi"))
                .containsExactly(pool(sa, NAT_T_PORT))
                .doesNotContain(pool(sa, IKE_PORT));
    }

    private static void assertSameAddressSeenAtGatewayLink(Scenario s, JsonNode sa) {
        assertThat(sa.get("shifted").asBoolean()).isFalse();
        assertThat(pool(sa, NAT_T_PORT)).isEqualTo(pool(sa, IKE_PORT));
        assertThat(sourcesAtGatewayLink(s, sa, IKE_PORT)).containsExactly(pool(sa, IKE_PORT));
        assertThat(sourcesAtGatewayLink(s, sa, NAT_T_PORT)).containsExactly(pool(sa, IKE_PORT));
    }

    private static void assertInsideAddressConstant(Scenario s, JsonNode sa) {
        String inside = sa.get("insideAddress").asText();
        List<IkeMessage> fromSubscriber = ofSa(s.inside(), sa).stream()
                .filter(m -> m.dstAddrText().equals(s.gateway())).toList();
        assertThat(fromSubscriber).as("inside capture of SA %s", sa.get("initiatorSpi")).isNotEmpty()
                .extracting(IkeMessage::srcAddrText).containsOnly(inside);
        assertThat(fromSubscriber).extracting(IkeMessage::dstPort).contains(IKE_PORT, NAT_T_PORT);
    }

    private static void assertEverySubscriberHasATunnelUp(Scenario s) {
        Set<String> up = s.sas().stream().filter(sa -> sa.get("tunnelUp").asBoolean())
                .map(sa -> sa.get("subscriber").asText()).collect(Collectors.toSet());
        assertThat(up).as("subscribers whose tunnel strongSwan reports INSTALLED at both ends").hasSize(SUBSCRIBERS);
        // and the tunnel carries traffic: user-space ESP in UDP 4500 through the NAT, both ways
        assertThat(s.truth().get("subscribers").findValuesAsText("pingThroughTunnel")).containsOnly("ok");
    }
}
