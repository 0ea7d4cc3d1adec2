package io.natshift.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of this JVM, of its JIT compiler threads and of the broker process (Linux /proc), so a
 * benchmark can say where a record's CPU went on a machine whose two cores the app, the broker and
 * the JIT share. Times in nanoseconds; -1 where /proc or the broker's pid is not available.
 */
final class MachineCpu {
    /** USER_HZ: /proc reports clock ticks of 10 ms on Linux x86-64. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private MachineCpu() {
    }

    /** This JVM's CPU and its JIT's; the broker's CPU without its JIT's, and its JIT's. */
    record Sample(long process, long jit, long broker, long brokerJit) {
        Sample minus(Sample before) {
            boolean known = broker >= 0 && before.broker >= 0 && brokerJit >= 0 && before.brokerJit >= 0;
            return new Sample(process - before.process, jit - before.jit,
                    known ? broker - before.broker : -1, known ? brokerJit - before.brokerJit : -1);
        }
    }

    static Sample now() {
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        String pid = System.getProperty("bench.broker.pid", "");
        if (pid.isBlank()) {
            return new Sample(process, jit(Path.of("/proc/self")), -1, -1);
        }
        Path broker = Path.of("/proc", pid);
        long brokerJit = jit(broker);
        long brokerAll = ticks(broker.resolve("stat"));
        return new Sample(process, jit(Path.of("/proc/self")), brokerAll < 0 || brokerJit < 0 ? -1 : brokerAll - brokerJit, brokerJit);
    }

    /** CPU of the C1/C2 compiler threads of a process. */
    private static long jit(Path process) {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(process.resolve("task"))) {
            for (Path task : tasks) {
                String comm = Files.readString(task.resolve("comm")).trim();
                if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                    sum += Math.max(0, ticks(task.resolve("stat")));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return sum;
    }

    /** utime + stime of a /proc stat file; the command name in parentheses may hold spaces. */
    private static long ticks(Path stat) {
        try {
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
