package dev.kiln.bench.fleet;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory, threads and CPU time of a process, read from /proc (Linux): the same figures for the
 * console (this JVM), the simulator JVM and Mosquitto, so they can be set side by side.
 *
 * @param rssMiB resident set now (VmRSS)
 * @param peakRssMiB the most it was resident (VmHWM)
 * @param threads OS threads, the JVM's own (GC, JIT) included
 * @param cpuSeconds user + system CPU time since the process started
 */
public record ProcStats(double rssMiB, double peakRssMiB, int threads, double cpuSeconds) {
  /** Clock ticks per second of /proc/PID/stat times; 100 on every Linux this runs on. */
  private static final double CLOCK_TICKS = 100.0;

  public static ProcStats of(long pid) {
    try {
      Path proc = Path.of("/proc", String.valueOf(pid));
      double rss = 0;
      double peak = 0;
      int threads = 0;
      for (String line : Files.readAllLines(proc.resolve("status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = kib(line) / 1024.0;
        } else if (line.startsWith("VmHWM:")) {
          peak = kib(line) / 1024.0;
        } else if (line.startsWith("Threads:")) {
          threads = Integer.parseInt(line.substring("Threads:".length()).trim());
        }
      }
      // Fields after the command name (which may hold spaces): utime and stime are 14 and 15.
      String stat = Files.readString(proc.resolve("stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLOCK_TICKS;
      return new ProcStats(rss, peak, threads, cpu);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + " (Linux only): " + e, e);
    }
  }

  static ProcStats self() {
    return of(ProcessHandle.current().pid());
  }

  /** Heap in use after a full GC: what this JVM really keeps, whatever its heap has grown to. */
  static double heapAfterGcMiB() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }
}
