package io.natshift.capture;

import java.io.IOException;
import java.nio.file.Path;

/** Opens a capture file for reading ({@code CaptureFiles::open} in the product). */
@FunctionalInterface
public interface CaptureOpener {
    CaptureReader open(Path file) throws IOException;
}
