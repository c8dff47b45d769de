package dev.kiln.bench.broker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto process on a free loopback port, anonymous, in-memory (no persistence file), for the
 * benchmarks that need a real broker (capture, fleet rollout).
 */
public final class MosquittoBroker implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/sbin/mosquitto");

  private final Process process;
  private final int port;

  private MosquittoBroker(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static MosquittoBroker start(Path dir) throws IOException, InterruptedException {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(
          BINARY + " is missing: install it with apt-get install mosquitto");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Files.createDirectories(dir);
    Path conf = dir.resolve("mosquitto.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "listener " + port + " 127.0.0.1",
            "allow_anonymous true",
            "max_queued_messages 1000000",
            "max_inflight_messages 0",
            "log_dest stdout",
            "log_type error",
            "log_type warning",
            ""));
    Process p =
        new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile()))
            .start();
    MosquittoBroker broker = new MosquittoBroker(p, port);
    for (int i = 0; i < 200; i++) {
      if (!p.isAlive()) {
        throw new IllegalStateException("mosquitto exited; see " + dir.resolve("mosquitto.log"));
      }
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return broker;
      } catch (IOException notYet) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
    }
    broker.close();
    throw new IllegalStateException("mosquitto did not listen on " + port + " within 10 s");
  }

  public String url() {
    return "tcp://127.0.0.1:" + port;
  }

  /** The broker's process id, to read its CPU time from /proc. */
  public long pid() {
    return process.pid();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
