package dev.kiln.bench.http;

import dev.kiln.bench.fleet.ProcStats;
import dev.kiln.testkit.JvmLauncher;
import dev.kiln.testkit.JvmProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One candidate in its own JVM ({@link ServerMain}), started from this benchmark's classpath with
 * the same JVM flags for every candidate. Closing its standard input stops it.
 */
final class ServerProcess implements AutoCloseable {
  /**
   * The heap every candidate gets. Capped and equal, so that RSS shows what the server keeps rather
   * than how far the JVM lets garbage pile up before it collects (with the default, a quarter of
   * RAM, the heap grows lazily and RSS says more about the GC than about the server).
   */
  static final String HEAP = System.getProperty("kiln.bench.serverXmx", "64m");

  private final Candidate candidate;
  private final JvmProcess jvm;
  private final int port;
  private final double startMillis;

  private ServerProcess(Candidate candidate, JvmProcess jvm, int port, double startMillis) {
    this.candidate = candidate;
    this.jvm = jvm;
    this.port = port;
    this.startMillis = startMillis;
  }

  static ServerProcess start(Candidate candidate, int threads, Path log)
      throws IOException, InterruptedException {
    JvmLauncher launcher =
        JvmLauncher.of(ServerMain.class.getName())
            .args(List.of(candidate.name(), String.valueOf(threads)))
            .jvmOption("-Xmx" + HEAP)
            .inheritProperty("logback.configurationFile")
            .tmpDir(log.resolveSibling("tmp"))
            .stdout(ProcessBuilder.Redirect.PIPE)
            .stderr(ProcessBuilder.Redirect.appendTo(log.toFile()));
    JvmProcess jvm = launcher.start();
    BufferedReader out =
        new BufferedReader(
            new InputStreamReader(jvm.process().getInputStream(), StandardCharsets.US_ASCII));
    String line = out.readLine();
    if (line == null || !line.startsWith("port ")) {
      jvm.close();
      throw new IOException(candidate + " server did not start (" + line + "); see " + log);
    }
    double startMillis = (System.nanoTime() - jvm.startedNanos()) / 1e6;
    return new ServerProcess(
        candidate, jvm, Integer.parseInt(line.substring(5).trim()), startMillis);
  }

  Candidate candidate() {
    return candidate;
  }

  int port() {
    return port;
  }

  long pid() {
    return jvm.pid();
  }

  /** Milliseconds from spawn until the server printed its port (bound and serving). */
  double startMillis() {
    return startMillis;
  }

  ProcStats stats() {
    jvm.checkAlive(candidate + " server");
    return ProcStats.of(jvm.pid());
  }

  @Override
  public void close() throws IOException, InterruptedException {
    jvm.process().getOutputStream().close();
    if (!jvm.process().waitFor(30, TimeUnit.SECONDS)) {
      jvm.kill();
    }
  }
}
