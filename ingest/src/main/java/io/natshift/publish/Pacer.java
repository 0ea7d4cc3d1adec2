package io.natshift.publish;

/**
 * Replays at N times the pace of the capture: frame k is sent no earlier than
 * (t_k - t_0) / N after the first. {@link #MAX} never waits. Wall time is used only to wait here;
 * nothing downstream sees it (record timestamps are capture times).
 */
public final class Pacer {
    public static final Pacer MAX = new Pacer(0);

    private final double speed;
    private long firstMicros = Long.MIN_VALUE;
    private long startNanos;

    private Pacer(double speed) {
        this.speed = speed;
    }

    public static Pacer speed(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("--speed must be a positive number, not " + factor);
        }
        return new Pacer(factor);
    }

    public boolean paced() {
        return speed > 0;
    }

    void await(long captureMicros) throws InterruptedException {
        if (speed <= 0) {
            return;
        }
        if (firstMicros == Long.MIN_VALUE) {
            firstMicros = captureMicros;
            startNanos = System.nanoTime();
            return;
        }
        long dueNanos = startNanos + (long) ((captureMicros - firstMicros) * 1000.0 / speed);
        long waitNanos = dueNanos - System.nanoTime();
        if (waitNanos > 0) {
            Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
        }
    }
}
