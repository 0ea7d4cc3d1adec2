package io.natshift.capture;

import java.io.IOException;

/** A capture file that is not one, or is cut off or corrupt; the message names the file and where. */
public class CaptureFormatException extends IOException {
    public CaptureFormatException(String message) {
        super(message);
    }

    public CaptureFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
