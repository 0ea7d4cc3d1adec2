package io.natshift.capture;

import java.io.Closeable;
import java.io.IOException;

/**
 * Pull-based reader of captured frames (a pcap/pcapng file, or a live interface). The frame
 * accessors describe the current frame and stay valid until the next call to {@link #next()}:
 * the buffer is reused.
 */
public interface CaptureReader extends Closeable {

    /**
     * Advances to the next frame. Returns false at a clean end of input. A file cut off
     * mid-record or corrupt throws {@link CaptureFormatException} (naming file, frame and byte
     * offset) only after every complete frame before the damage has been returned.
     */
    boolean next() throws IOException;

    /** 1-based frame number, as Wireshark numbers frames of this capture. */
    long frameNumber();

    long timestampMicros();

    /** LINKTYPE_* of the frame (pcapng files may mix interfaces of different link types). */
    int linkType();

    byte[] buffer();

    int offset();

    /** Captured length. */
    int length();

    /** Length on the wire (larger than {@link #length()} when the snaplen cut the frame). */
    int originalLength();

    /** What the capture is called in outputs: the file path or interface name. */
    String source();

    /** Bytes of the (possibly compressed) input consumed so far, for progress. */
    long bytesRead();

    /** Size of the input in bytes, or -1 when unknown (live capture). */
    long totalBytes();
}
