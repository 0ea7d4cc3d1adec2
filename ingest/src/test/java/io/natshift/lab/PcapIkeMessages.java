package io.natshift.lab;

import io.natshift.capture.CaptureFiles;
import io.natshift.capture.CaptureReader;
import io.natshift.decode.DecodeResult;
import io.natshift.decode.FrameDecoder;
import io.natshift.decode.IkeMessage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The IKE messages of a lab capture, read and decoded by natshift's own capture reader and decoder. */
final class PcapIkeMessages {

    private PcapIkeMessages() {
    }

    static List<IkeMessage> read(Path capture) throws IOException {
        FrameDecoder decoder = new FrameDecoder();
        List<IkeMessage> messages = new ArrayList<>();
        try (CaptureReader reader = CaptureFiles.open(capture)) {
            while (reader.next()) {
                DecodeResult r = decoder.decode(reader.buffer(), reader.offset(), reader.length(), reader.linkType());
                if (r instanceof IkeMessage m) {
                    messages.add(m);
                }
            }
        }
        return messages;
    }

    static String spi(long spi) {
        return String.format("%016x", spi);
    }
}
