package io.natshift.publish;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.natshift.decode.FrameDecoder;
import io.natshift.decode.IkeMessage;
import io.natshift.decode.LinkType;
import io.natshift.decode.TestFrames;
import io.natshift.schemas.avro.IkePacket;

class IkeRecordsTest {

    @Test
    void shouldSetEveryFieldAsTheBuilderWouldIncludingTheVantageDefault() {
        byte[] frame = TestFrames.ethernetIpv4Udp(500, 500, TestFrames.aggressiveModeFirst(0x44A81E8F3CE968DCL));
        IkeMessage m = (IkeMessage) new FrameDecoder().decode(frame, 0, frame.length, LinkType.ETHERNET);

        IkePacket p = IkeRecords.toAvro(m, "probe", "file.pcap", 11, 1_700_000_000_123_456L);

        // IkePacket.newBuilder(p).build() validates every field against the schema (fails on a missing one)
        assertThat(IkePacket.newBuilder(p).build()).isEqualTo(p);
        assertThat(p.getVantage()).isEqualTo("unknown");
        assertThat(IkeRecords.epochMicros(p.getTimestampMicros())).isEqualTo(1_700_000_000_123_456L);
        assertThat(IkeRecords.spiHex(IkeRecords.spiValue(p.getInitiatorSpi()))).isEqualTo("44a81e8f3ce968dc");
        assertThat(p.getNatDetection()).isTrue();
    }
}
