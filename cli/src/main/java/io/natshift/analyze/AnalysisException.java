package io.natshift.analyze;

/** A run that cannot give a report: one clear line for the user and the exit code that says why. */
public final class AnalysisException extends Exception {
    public static final int UNREADABLE_INPUT = 2;
    public static final int NO_IKE = 3;
    public static final int BROKER = 4;
    public static final int PIPELINE = 5;

    private final int exitCode;

    public AnalysisException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public AnalysisException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    public int exitCode() {
        return exitCode;
    }
}
