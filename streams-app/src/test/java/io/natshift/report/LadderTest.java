package io.natshift.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.natshift.schemas.avro.NatShiftAlert;

class LadderTest {
    private static final NatShiftAlert INCIDENT = Records.alert("44a81e8f3ce968dc", "c067353f5de37295", "203.0.113.10:28815",
            "203.0.113.77:61204", "failed", 0);

    private static List<Long> frames(List<Ladder.Row> rows, java.util.function.Predicate<Ladder.Row> which) {
        return rows.stream().filter(which).map(r -> r.packet().getFrame()).toList();
    }

    @Test
    void shouldMarkTheShiftRetransmissionsAndUnansweredPacketsOfTheIncident() throws IOException {
        List<Ladder.Row> rows = Ladder.rows(INCIDENT, Records.incidentPackets("44a81e8f3ce968dc"));

        assertThat(frames(rows, r -> true)).containsExactly(15L, 17L, 18L, 19L, 20L, 21L, 25L, 26L, 27L, 28L, 29L, 30L);
        assertThat(frames(rows, Ladder.Row::fromInitiator)).containsExactly(15L, 18L, 19L, 20L, 21L, 26L, 27L, 28L, 29L, 30L);
        assertThat(frames(rows, Ladder.Row::shift)).containsExactly(18L, 19L, 20L, 21L, 26L, 27L, 28L, 29L, 30L);
        assertThat(frames(rows, Ladder.Row::retransmission)).containsExactly(25L, 26L, 27L);
        assertThat(frames(rows, Ladder.Row::unanswered)).containsExactly(18L, 19L, 26L, 27L);
        assertThat(rows.stream().map(Ladder.Row::message).toList()).containsExactly("aggressive-1", "aggressive-2", "aggressive-3",
                "quick-1", "informational", "informational", "aggressive-2", "aggressive-3", "quick-1", "informational",
                "informational", "informational");
    }

    @Test
    void shouldDrawOneArrowPerPacketWithFrameCookiesAndTheAddressChange() throws IOException {
        String svg = Ladder.svg(INCIDENT, Records.incidentPackets("44a81e8f3ce968dc"), 0);

        assertThat(svg.split("<g class=\"packet ", -1)).hasSize(13);
        assertThat(svg).contains("data-frame=\"18\"").contains("#18  +0.131 s  aggressive-3  UDP 4500")
                .contains("44a81e8f3ce968dc/c067353f5de37295")
                .contains("address changed: 203.0.113.10 \u2192 203.0.113.77")
                .contains("data-lane=\"subscriber\"").contains("data-lane=\"nat\"").contains("data-lane=\"gateway\"");
    }
}
