package dev.kiln.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM started by {@link JvmLauncher}. Closing sends SIGTERM and waits for the process to
 * exit (an agent drains in-flight requests first), so nothing a test started outlives it.
 */
public final class JvmProcess implements AutoCloseable {
  private static final long TERM_WAIT_SECONDS = 30;

  private final Process process;
  private final long startedNanos;
  private final Path log;

  JvmProcess(Process process, long startedNanos, Path log) {
    this.process = process;
    this.startedNanos = startedNanos;
    this.log = log;
  }

  public Process process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** {@link System#nanoTime()} just before the process was spawned. */
  public long startedNanos() {
    return startedNanos;
  }

  /** Where stdout and stderr go, or null when they are not logged. */
  public Path log() {
    return log;
  }

  /** Throws, naming the exit code and the log, when the process has already exited. */
  public void checkAlive(String what) {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          what + " exited with code " + process.exitValue() + (log == null ? "" : "; see " + log));
    }
  }

  /** SIGKILL and wait: no shutdown hook runs, only what was already on disk survives. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(TERM_WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** Resident set size from /proc (Linux), in MiB. */
  public double rssMib() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", process.pid() + "", "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    throw new IOException("no VmRSS in /proc/" + process.pid() + "/status");
  }

  /** SIGTERM, then SIGKILL if it has not exited within 30 s. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(TERM_WAIT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
