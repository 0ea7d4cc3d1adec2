package io.natshift.synth;

import io.natshift.capture.CaptureFiles;
import io.natshift.capture.CaptureReader;
import io.natshift.decode.DecodeResult;
import io.natshift.decode.FrameDecoder;
import io.natshift.decode.IkeMessage;
import io.natshift.decode.LinkType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class IncidentSampleTest {
    private static final Path COMMITTED = Path.of("..").resolve(IncidentSample.DEFAULT_OUT);

    @Test
    void shouldMatchTheCommittedSampleWhenRegenerated() throws IOException {
        ByteArrayOutputStream fresh = new ByteArrayOutputStream();
        new IncidentSample().write(fresh);
        assertThat(Files.readAllBytes(COMMITTED))
                .as("samples/incident-gateway-side.pcap is stale: run IncidentSample.main from the repository root")
                .isEqualTo(fresh.toByteArray());
    }

    @Test
    void shouldShowTheShiftSignatureWhenDecoded() throws IOException {
        // The committed file, read as users read it (shouldMatchTheCommittedSampleWhenRegenerated ties it to the generator).
        FrameDecoder decoder = new FrameDecoder();
        IkeMessage[] byFrame = new IkeMessage[31];
        long[] micros = new long[31];
        int frames = 0;
        try (CaptureReader reader = CaptureFiles.open(COMMITTED)) {
            while (reader.next()) {
                int f = (int) reader.frameNumber();
                frames++;
                assertThat(f).isLessThanOrEqualTo(30);
                micros[f] = reader.timestampMicros();
                DecodeResult result = decoder.decode(reader.buffer(), reader.offset(), reader.length(), reader.linkType());
                assertThat(result).as("frame %d", f).isNotInstanceOf(DecodeResult.Rejected.class);
                if (result instanceof IkeMessage m) {
                    byFrame[f] = m;
                }
            }
        }
        assertThat(frames).isEqualTo(30);
        for (int f = 1; f <= 10; f++) {
            assertThat(byFrame[f]).as("TCP 2012 frame %d is noise", f).isNull();
        }
        assertThat(byFrame[12]).isNull();
        assertThat(byFrame[14]).isNull();
        assertThat(byFrame[22]).isNull();
        assertThat(byFrame[23]).isNull();

        // Three unrelated first messages from A, each with responder cookie zero.
        for (int f : new int[] {11, 13, 15}) {
            assertThat(byFrame[f].srcAddrText()).isEqualTo("203.0.113.10");
            assertThat(byFrame[f].srcPort()).isEqualTo(28815);
            assertThat(byFrame[f].responderSpi()).isZero();
            assertThat(byFrame[f].exchangeType()).isEqualTo(IkeV1Messages.AGGRESSIVE);
            assertThat(byFrame[f].vendorIds()).anySatisfy(v -> assertThat(v).isEqualTo(IkeV1Messages.VID_RFC3947));
        }
        assertThat(byFrame[11].initiatorSpi()).isNotEqualTo(byFrame[13].initiatorSpi());
        assertThat(byFrame[15].initiatorSpi()).isEqualTo(IncidentSample.SHIFTED_INITIATOR_SPI);
        assertThat(byFrame[16].initiatorSpi()).isEqualTo(byFrame[13].initiatorSpi());
        assertThat(byFrame[17].responderSpi()).isEqualTo(IncidentSample.SHIFTED_RESPONDER_SPI);
        assertThat(byFrame[17].natDetection()).isTrue();

        // The shifted SA on UDP 4500 from B != A; the gateway answers and retransmits only to A.
        for (int f : new int[] {18, 19, 20, 21, 26, 27, 28, 29, 30}) {
            IkeMessage m = byFrame[f];
            assertThat(m.natT()).as("frame %d", f).isTrue();
            assertThat(m.srcAddrText()).isEqualTo("203.0.113.77");
            assertThat(m.initiatorSpi()).isEqualTo(IncidentSample.SHIFTED_INITIATOR_SPI);
            assertThat(m.responderSpi()).isEqualTo(IncidentSample.SHIFTED_RESPONDER_SPI);
            assertThat(m.encrypted()).isTrue();
        }
        assertThat(byFrame[19].exchangeType()).isEqualTo(IkeV1Messages.QUICK);
        for (int f : new int[] {20, 21, 28, 29, 30}) {
            assertThat(byFrame[f].exchangeType()).isEqualTo(IkeV1Messages.INFORMATIONAL);
            assertThat(byFrame[f].nextPayload()).isEqualTo(IncidentSample.UNKNOWN_NEXT_PAYLOAD);
        }
        assertThat(byFrame[24]).usingRecursiveComparison().isEqualTo(byFrame[16]);
        assertThat(byFrame[25]).usingRecursiveComparison().isEqualTo(byFrame[17]);
        assertThat(byFrame[25].dstAddrText()).isEqualTo("203.0.113.10");
        for (IkeMessage m : byFrame) {
            if (m != null && m.srcAddrText().equals("172.31.1.76")) {
                assertThat(m.dstAddrText()).as("the gateway never sends to B").isEqualTo("203.0.113.10");
            }
        }
        // About 3 s client timeout between the quick mode and the error notifications.
        long gap = micros[20] - micros[19];
        assertThat(gap).isBetween(2_900_000L, 3_100_000L);
    }
}
