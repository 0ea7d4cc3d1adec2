package io.natshift.lab;

import io.natshift.decode.DecodeResult;
import io.natshift.decode.FrameDecoder;
import io.natshift.decode.IkeMessage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The IKE messages of a classic pcap file (what tcpdump -w writes), through natshift's own decoder.
 * Deliberately tiny: the lab's captures come from one known writer; capture.CaptureReader is the
 * product's reader.
 */
final class PcapIkeMessages {

    private static final int GLOBAL_HEADER_SIZE = 24;
    private static final int LINK_TYPE_OFFSET = 20;
    private static final int RECORD_HEADER_SIZE = 16;
    private static final int INCLUDED_LENGTH_OFFSET = 8;

    private PcapIkeMessages() {
    }

    static List<IkeMessage> read(Path pcap) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pcap));
        if (b.remaining() < GLOBAL_HEADER_SIZE) {
            throw new IOException(pcap + ": " + b.remaining() + " bytes, shorter than a pcap header");
        }
        int magic = b.getInt(0);
        if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
            b.order(ByteOrder.LITTLE_ENDIAN);
        } else if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            throw new IOException(pcap + ": not a classic pcap file (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int linkType = b.getInt(LINK_TYPE_OFFSET);
        FrameDecoder decoder = new FrameDecoder();
        List<IkeMessage> messages = new ArrayList<>();
        int pos = GLOBAL_HEADER_SIZE;
        while (pos + RECORD_HEADER_SIZE <= b.limit()) {
            int included = b.getInt(pos + INCLUDED_LENGTH_OFFSET);
            int frame = pos + RECORD_HEADER_SIZE;
            if (included < 0 || frame + included > b.limit()) {
                break; // a capture cut short by the teardown ends in a partial record
            }
            DecodeResult r = decoder.decode(b.array(), frame, included, linkType);
            if (r instanceof IkeMessage m) {
                messages.add(m);
            }
            pos = frame + included;
        }
        return messages;
    }

    static String spi(long spi) {
        return String.format("%016x", spi);
    }
}
