package dev.kiln.bench.agent;

import dev.kiln.testkit.JvmLauncher;
import dev.kiln.testkit.JvmProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started from this benchmark's classpath: either {@code kiln-agent run} or a bare JVM that
 * only reaches {@code main} (the baseline for start time and memory). Closing sends SIGTERM.
 */
public final class AgentProcess implements AutoCloseable {
  private final JvmProcess jvm;
  private final Process process;
  private final long startedNanos;

  private AgentProcess(JvmProcess jvm) {
    this.jvm = jvm;
    this.process = jvm.process();
    this.startedNanos = jvm.startedNanos();
  }

  public static AgentProcess agent(Path configFile, Path log) throws IOException {
    return launch(JvmLauncher.kilnAgent(configFile).log(log), log);
  }

  /** The agent with extra JVM options and environment (a {@link JvmVariant}). */
  public static AgentProcess agent(Path configFile, Path log, JvmVariant variant)
      throws IOException {
    return agent(configFile, log, variant, System.getProperty("java.class.path"));
  }

  /** As {@link #agent(Path, Path, JvmVariant)}, on {@code classpath} (the agent's own jars). */
  public static AgentProcess agent(Path configFile, Path log, JvmVariant variant, String classpath)
      throws IOException {
    JvmLauncher launcher = JvmLauncher.kilnAgent(configFile).classpath(classpath).log(log);
    variant.options().forEach(launcher::jvmOption);
    variant.env().forEach(launcher::env);
    return launch(launcher, log);
  }

  /** A JVM that prints one line from main and waits: what any Java agent pays at minimum. */
  public static AgentProcess bareJvm(Path log) throws IOException {
    return launch(
        JvmLauncher.of(IdleJvm.class.getName())
            .stdout(ProcessBuilder.Redirect.PIPE)
            .stderr(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .property("ai.djl.offline", "true"),
        log);
  }

  private static AgentProcess launch(JvmLauncher launcher, Path log) throws IOException {
    launcher.tmpDir(log.resolveSibling("tmp"));
    // -Dkiln.bench.childXmx=128m caps the heap of both the agent and the bare JVM: with the
    // default (a quarter of RAM) the heap grows lazily and RSS says more about GC than the agent.
    String xmx = System.getProperty("kiln.bench.childXmx");
    if (xmx != null) {
      launcher.jvmOption("-Xmx" + xmx);
    }
    // -Dkiln.bench.agentJvmOptions="-XX:StartFlightRecording=..." adds options (space-separated)
    // to every JVM the benches start, to profile the agent under a bench's load.
    String extra = System.getProperty("kiln.bench.agentJvmOptions", "").strip();
    if (!extra.isEmpty()) {
      for (String option : extra.split("\\s+")) {
        launcher.jvmOption(option);
      }
    }
    launcher.inheritProperty("logback.configurationFile");
    return new AgentProcess(launcher.start());
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

  /** CPU time (user + system, all threads) the process has used so far, from /proc (Linux). */
  public double cpuMillis() throws IOException {
    String stat = java.nio.file.Files.readString(Path.of("/proc", jvm.pid() + "", "stat"));
    // Fields after the command name, which is in parentheses and may hold spaces.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks * 1000.0 / 100; // USER_HZ is 100 on Linux
  }

  /** The process id. */
  public long pid() {
    return jvm.pid();
  }

  /** Resident set size from /proc (Linux), in MiB. */
  public double rssMib() throws IOException {
    return jvm.rssMib();
  }

  /**
   * {@code pmap -x} of the process into {@code dir/pmap.txt}, and, when it runs with Native Memory
   * Tracking, {@code jcmd VM.native_memory summary} into {@code dir/nmt.txt}: where RSS lies, for
   * footprint work ({@code -Dkiln.bench.deviceJvmMaps=true}).
   */
  public void writeMemoryMaps(Path dir) throws IOException, InterruptedException {
    String pid = Long.toString(jvm.pid());
    new ProcessBuilder("pmap", "-x", pid)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("pmap.txt").toFile())
        .start()
        .waitFor();
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    new ProcessBuilder(jcmd.toString(), pid, "VM.native_memory", "summary")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("nmt.txt").toFile())
        .start()
        .waitFor();
    System.err.println("memory maps in " + dir);
  }

  @Override
  public void close() throws InterruptedException {
    jvm.close();
  }
}
