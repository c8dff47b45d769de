package dev.kiln.fleet.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/** A real Mosquitto on a free loopback port, started and stopped by a test. */
public final class Mosquitto implements AutoCloseable {
  private static final Path BINARY = Path.of("/usr/sbin/mosquitto");
  private final Process process;
  private final int port;

  private Mosquitto(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts a broker; skips the test when mosquitto is missing, unless CI=true. */
  public static Mosquitto start(Path dir) throws IOException {
    if (!Files.isExecutable(BINARY)) {
      Assumptions.assumeTrue(
          "true".equals(System.getenv("CI")),
          "mosquitto is not installed at "
              + BINARY
              + "; install it (apt-get install mosquitto)"
              + " to run the MQTT tests");
      throw new IllegalStateException("CI=true but " + BINARY + " is missing");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Files.createDirectories(dir);
    Path conf = dir.resolve("mosquitto.conf");
    Files.writeString(
        conf,
        "listener "
            + port
            + " 127.0.0.1\nallow_anonymous true\n"
            + "persistence false\nmax_queued_messages 100000\n");
    Process p =
        new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("mosquitto.log").toFile())
            .start();
    Mosquitto m = new Mosquitto(p, port);
    await().atMost(Duration.ofSeconds(10)).until(m::accepting);
    return m;
  }

  public String url() {
    return "tcp://127.0.0.1:" + port;
  }

  private boolean accepting() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
