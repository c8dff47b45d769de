package dev.kiln.link.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Mosquitto process on a free loopback port, with persistence on so that a graceful stop and
 * restart keeps sessions and queued QoS 1 messages (as a production broker would).
 */
public final class Mosquitto implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/sbin/mosquitto");

  private final Path dir;
  private final int port;
  private final List<String> listenerOptions;
  private Process process;

  private Mosquitto(Path dir, int port, List<String> listenerOptions) {
    this.dir = dir;
    this.port = port;
    this.listenerOptions = listenerOptions;
  }

  /**
   * Skips the test when Mosquitto is missing on a developer machine; fails on CI (CI=true), where a
   * skip would hide that the integration tests never ran.
   */
  public static void requireInstalled() {
    if (Files.isExecutable(BINARY)) {
      return;
    }
    String message =
        BINARY + " is missing: install it with `apt-get install mosquitto` to run the MQTT tests";
    if ("true".equals(System.getenv("CI"))) {
      Assertions.fail(message);
    }
    Assumptions.abort(message);
  }

  public static Mosquitto start(Path dir) {
    return start(dir, List.of());
  }

  /** With extra options for the listener, e.g. TLS: {@code cafile}, {@code certfile}, ... */
  public static Mosquitto start(Path dir, List<String> listenerOptions) {
    requireInstalled();
    Mosquitto m = new Mosquitto(dir, FreePorts.next(), listenerOptions);
    m.launch();
    return m;
  }

  public int port() {
    return port;
  }

  public String url() {
    return "tcp://127.0.0.1:" + port;
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
      List<String> lines = new ArrayList<>();
      lines.add("listener " + port + " 127.0.0.1");
      lines.addAll(listenerOptions);
      Files.writeString(
          conf,
          String.join(
              "\n",
              String.join("\n", lines),
              "allow_anonymous true",
              "persistence true",
              "persistence_location " + dir.toAbsolutePath() + "/",
              "autosave_interval 1",
              "max_queued_messages 1000000",
              "max_inflight_messages 0",
              "user root",
              "log_dest stdout",
              "log_type error",
              "log_type warning",
              "log_type notice",
              ""));
      process =
          new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
              .redirectErrorStream(true)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(this::accepting);
  }

  private boolean accepting() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "mosquitto exited with " + process.exitValue() + "; see " + dir.resolve("mosquitto.log"));
    }
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
