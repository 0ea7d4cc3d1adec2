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

    record Sample(long process, long jit, long broker) {
        Sample minus(Sample before) {
            return new Sample(process - before.process, jit - before.jit,
                    broker < 0 || before.broker < 0 ? -1 : broker - before.broker);
        }
    }

    static Sample now() {
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        String pid = System.getProperty("bench.broker.pid", "");
        return new Sample(process, jit(), pid.isBlank() ? -1 : ticks(Path.of("/proc", pid, "stat")));
    }

    private static long jit() {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
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
