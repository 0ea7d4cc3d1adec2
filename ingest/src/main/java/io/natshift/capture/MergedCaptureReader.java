package io.natshift.capture;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Several captures as one, frames in capture-time order (ties: the earlier-listed file first), so
 * two probes' captures of the same period interleave as they happened. Each file must be in time
 * order itself, as capture files are. A damaged file contributes every good frame before the
 * damage, is recorded in {@link #damaged()} and is left; the others go on.
 */
public final class MergedCaptureReader implements CaptureReader {

    private record Head(CaptureReader reader, int order) {
    }

    private final List<CaptureReader> readers;
    private final PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> {
        int c = Long.compare(a.reader.timestampMicros(), b.reader.timestampMicros());
        return c != 0 ? c : Integer.compare(a.order, b.order);
    });
    private final List<String> damaged = new ArrayList<>();
    private Head current;
    private boolean started;

    public MergedCaptureReader(List<CaptureReader> readers) {
        this.readers = List.copyOf(readers);
    }

    @Override
    public boolean next() throws IOException {
        if (!started) {
            started = true;
            for (int i = 0; i < readers.size(); i++) {
                advance(new Head(readers.get(i), i));
            }
        } else if (current != null) {
            advance(current);
        }
        current = heads.poll();
        return current != null;
    }

    private void advance(Head head) {
        try {
            if (head.reader.next()) {
                heads.add(head);
            }
        } catch (IOException e) {
            damaged.add(e.getMessage() == null ? head.reader.source() + ": " + e : e.getMessage());
        }
    }

    /** One message per capture that ended in damage (file, frame, offset as the reader says). */
    public List<String> damaged() {
        return List.copyOf(damaged);
    }

    private CaptureReader cur() {
        if (current == null) {
            throw new IllegalStateException("no current frame");
        }
        return current.reader;
    }

    @Override
    public long frameNumber() {
        return cur().frameNumber();
    }

    @Override
    public long timestampMicros() {
        return cur().timestampMicros();
    }

    @Override
    public int linkType() {
        return cur().linkType();
    }

    @Override
    public byte[] buffer() {
        return cur().buffer();
    }

    @Override
    public int offset() {
        return cur().offset();
    }

    @Override
    public int length() {
        return cur().length();
    }

    @Override
    public int originalLength() {
        return cur().originalLength();
    }

    @Override
    public String source() {
        return cur().source();
    }

    @Override
    public long bytesRead() {
        long sum = 0;
        for (CaptureReader r : readers) {
            sum += r.bytesRead();
        }
        return sum;
    }

    @Override
    public long totalBytes() {
        long sum = 0;
        for (CaptureReader r : readers) {
            long t = r.totalBytes();
            if (t < 0) {
                return -1;
            }
            sum += t;
        }
        return sum;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (CaptureReader r : readers) {
            try {
                r.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
