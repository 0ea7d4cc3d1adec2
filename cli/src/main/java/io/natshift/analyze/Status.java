package io.natshift.analyze;

/** Where a run tells what it is doing (stderr in the CLI); never the report's stream. */
public interface Status {
    Status NONE = new Status() {
        @Override
        public void phase(String text) {
        }

        @Override
        public void progress(String text) {
        }
    };

    /** A phase began or ended: a line worth keeping. */
    void phase(String text);

    /** A progress figure that replaces the previous one (redrawn in place on a terminal). */
    void progress(String text);
}
