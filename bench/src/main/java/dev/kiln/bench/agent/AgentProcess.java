package dev.kiln.bench.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started from this benchmark's classpath: either {@code kiln-agent run} or a bare JVM that
 * only reaches {@code main} (the baseline for start time and memory). Closing sends SIGTERM.
 */
public final class AgentProcess implements AutoCloseable {
  private final Process process;
  private final long startedNanos;

  private AgentProcess(Process process, long startedNanos) {
    this.process = process;
    this.startedNanos = startedNanos;
  }

  public static AgentProcess agent(Path configFile, Path log) throws IOException {
    return launch(
        List.of("dev.kiln.agent.cli.AgentMain", "run", "--config", configFile.toString()),
        log,
        ProcessBuilder.Redirect.appendTo(log.toFile()));
  }

  /** A JVM that prints one line from main and waits: what any Java agent pays at minimum. */
  public static AgentProcess bareJvm(Path log) throws IOException {
    return launch(List.of(IdleJvm.class.getName()), log, ProcessBuilder.Redirect.PIPE);
  }

  private static AgentProcess launch(
      List<String> mainAndArgs, Path log, ProcessBuilder.Redirect out) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path tmp = Files.createDirectories(log.resolveSibling("tmp"));
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Dai.djl.offline=true");
    cmd.add("-Djava.io.tmpdir=" + tmp.toAbsolutePath());
    // -Dkiln.bench.childXmx=128m caps the heap of both the agent and the bare JVM: with the
    // default (a quarter of RAM) the heap grows lazily and RSS says more about GC than the agent.
    String xmx = System.getProperty("kiln.bench.childXmx");
    if (xmx != null) {
      cmd.add("-Xmx" + xmx);
    }
    String logback = System.getProperty("logback.configurationFile");
    if (logback != null) {
      cmd.add("-Dlogback.configurationFile=" + logback);
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.addAll(mainAndArgs);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectOutput(out);
    long t = System.nanoTime();
    return new AgentProcess(pb.start(), t);
  }

  /** For the bare JVM: milliseconds from spawn until main printed its line. */
  public double awaitMainMillis() throws IOException {
    int c = process.getInputStream().read();
    if (c < 0) {
      throw new IOException("bare JVM exited with " + process.exitValue() + " before main");
    }
    return (System.nanoTime() - startedNanos) / 1e6;
  }

  /** Milliseconds from spawn until the invoker got its first 200; polls every 20 ms. */
  public double awaitFirstInferenceMillis(Invoker invoker, Path log, long timeoutSeconds)
      throws Exception {
    long deadline = startedNanos + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "kiln-agent exited with " + process.exitValue() + "; see " + log);
      }
      if (invoker.tryInvoke()) {
        return (System.nanoTime() - startedNanos) / 1e6;
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    throw new IllegalStateException("kiln-agent served nothing in " + timeoutSeconds + " s");
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

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
