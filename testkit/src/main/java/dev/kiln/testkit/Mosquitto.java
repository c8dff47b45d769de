package dev.kiln.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto process on a free loopback port. By default persistence is on, so that a
 * graceful stop and restart keeps sessions and queued QoS 1 messages, as a production broker would;
 * benchmarks start it {@link #startInMemory in memory} so that autosaves do not colour their
 * figures.
 */
public final class Mosquitto implements AutoCloseable {
  public static final Path BINARY = RequiredTool.MOSQUITTO.binary();
  private static final long LISTEN_TIMEOUT_MILLIS = 10_000;

  private final Path dir;
  private final int port;
  private final List<String> listenerOptions;
  private final boolean persistent;
  private final String ownConfig;
  private Process process;

  private Mosquitto(
      Path dir, int port, List<String> listenerOptions, boolean persistent, String ownConfig) {
    this.dir = dir;
    this.port = port;
    this.listenerOptions = listenerOptions;
    this.persistent = persistent;
    this.ownConfig = ownConfig;
  }

  /** Skips the calling test on a developer machine without Mosquitto; fails it on CI. */
  public static void requireInstalled() {
    RequiredTool.MOSQUITTO.require();
  }

  public static Mosquitto start(Path dir) {
    return start(dir, List.of());
  }

  /** With extra options for the listener, e.g. TLS: {@code cafile}, {@code certfile}, ... */
  public static Mosquitto start(Path dir, List<String> listenerOptions) {
    requireInstalled();
    return launchNew(dir, listenerOptions, true);
  }

  /**
   * Without a persistence file, for benchmarks; throws {@link IllegalStateException} naming the
   * package to install when Mosquitto is missing.
   */
  public static Mosquitto startInMemory(Path dir) {
    if (!RequiredTool.MOSQUITTO.installed()) {
      throw new IllegalStateException(RequiredTool.MOSQUITTO.missingMessage());
    }
    return launchNew(dir, List.of(), false);
  }

  /**
   * With a whole configuration of the caller's (e.g. one Kiln generated) that listens on {@code
   * port}; only the process user and logging to the log file are added.
   */
  public static Mosquitto startWithConfig(Path dir, int port, String config) {
    requireInstalled();
    Mosquitto m = new Mosquitto(dir, port, List.of(), false, config);
    m.launch();
    return m;
  }

  private static Mosquitto launchNew(Path dir, List<String> listenerOptions, boolean persistent) {
    Mosquitto m = new Mosquitto(dir, FreePorts.next(), listenerOptions, persistent, null);
    m.launch();
    return m;
  }

  public int port() {
    return port;
  }

  public String url() {
    return "tcp://127.0.0.1:" + port;
  }

  /** The broker's process id, e.g. to read its CPU time from /proc. */
  public long pid() {
    return process.pid();
  }

  public boolean running() {
    return process != null && process.isAlive();
  }

  /** SIGTERM: Mosquitto saves its persistence file and exits. */
  public void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Starts again on the same port with the same persistence. */
  public void restart() {
    stop();
    launch();
  }

  @Override
  public void close() {
    stop();
  }

  private void launch() {
    try {
      Files.createDirectories(dir);
      Path conf = dir.resolve("mosquitto.conf");
      Files.writeString(conf, String.join("\n", config()) + "\n");
      process =
          new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
              .redirectErrorStream(true)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile()))
              .start();
      awaitListening();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<String> config() {
    List<String> lines = new ArrayList<>();
    if (ownConfig != null) {
      lines.add(ownConfig);
      lines.addAll(processAndLogging());
      return lines;
    }
    lines.add("listener " + port + " 127.0.0.1");
    lines.addAll(listenerOptions);
    lines.add("allow_anonymous true");
    if (persistent) {
      lines.add("persistence true");
      lines.add("persistence_location " + dir.toAbsolutePath() + "/");
      lines.add("autosave_interval 1");
    }
    lines.add("max_queued_messages 1000000");
    lines.add("max_inflight_messages 0");
    lines.addAll(processAndLogging());
    return lines;
  }

  private static List<String> processAndLogging() {
    return List.of(
        "user root", "log_dest stdout", "log_type error", "log_type warning", "log_type notice");
  }

  /** Returns once the port accepts connections; fails at once if the broker exits. */
  private void awaitListening() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LISTEN_TIMEOUT_MILLIS);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "mosquitto exited with "
                + process.exitValue()
                + "; see "
                + dir.resolve("mosquitto.log"));
      }
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException notYet) {
        pause();
      }
    }
    stop();
    throw new IllegalStateException(
        "mosquitto did not listen on " + port + " within " + LISTEN_TIMEOUT_MILLIS + " ms");
  }

  private static void pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for mosquitto", e);
    }
  }
}
