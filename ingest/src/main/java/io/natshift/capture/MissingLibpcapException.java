package io.natshift.capture;

import java.io.IOException;

/** libpcap (the native library under pcap4j) is not installed; the message gives the command that installs it. */
public class MissingLibpcapException extends IOException {
    public MissingLibpcapException(String message, Throwable cause) {
        super(message, cause);
    }
}
