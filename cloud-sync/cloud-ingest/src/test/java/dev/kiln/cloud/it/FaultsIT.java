package dev.kiln.cloud.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.cloud.ingest.Ingestor;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.DeviceLink;
import dev.kiln.link.capture.CaptureConfig;
import dev.kiln.link.telemetry.AgentTelemetry;
import dev.kiln.testkit.JvmLauncher;
import dev.kiln.testkit.Mosquitto;
import dev.kiln.testkit.TcpProxy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Store-and-forward under faults: the broker stops and restarts, the link is cut, the device
 * process is killed with kill -9. Afterwards every captured record is in DuckDB exactly once, and
 * capture kept accepting records (never blocking) throughout.
 */
class FaultsIT {
  private static final Duration SETTLE = Duration.ofSeconds(45);

  @TempDir Path tmp;
  private Mosquitto broker;
  private CaptureStore store;
  private Ingestor ingestor;

  @BeforeEach
  void start() {
    broker = Mosquitto.start(tmp.resolve("broker"));
    store = CaptureStore.open(tmp.resolve("cloud.duckdb"));
    ingestor = new Ingestor(Fixtures.ingest(broker.url(), "ingest-1"), store);
    ingestor.start();
    await().until(ingestor::ready);
  }

  @AfterEach
  void stop() {
    ingestor.close();
    store.close();
    broker.close();
  }

  private static void capture(DeviceLink link, int from, int to) {
    for (int i = from; i < to; i++) {
      int n = i;
      assertThat(link.recorder().capture(CaptureConfig.all(), () -> Fixtures.record(n)))
          .as("capture must accept record %d without blocking", n)
          .isTrue();
    }
  }

  private void awaitExactly(int n) {
    await().atMost(SETTLE).until(() -> Fixtures.storedIds(store).size() >= n);
    assertThat(Fixtures.storedIds(store)).isEqualTo(Fixtures.ids(0, n));
    assertThat(Fixtures.count(store, "SELECT count(*) FROM captures")).isEqualTo(n);
  }

  @Test
  void brokerStoppedAndRestarted_midStream_losesNothing() {
    try (DeviceLink link =
        DeviceLink.start(
            Fixtures.link("dev-a", broker.url(), tmp.resolve("a")),
            () -> AgentTelemetry.empty("t"))) {
      capture(link, 0, 2000);
      await().until(() -> Fixtures.count(store, "SELECT count(*) FROM captures") > 0);
      broker.stop();
      capture(link, 2000, 3000);
      await().until(() -> link.captureOutboxStats().lastSeq() == 3000);
      assertThat(link.connected()).isFalse();
      broker.restart();
      awaitExactly(3000);
      await().until(() -> link.stats().outboxPendingRecords() == 0);
    }
  }

  @Test
  void linkCutByProxy_midStream_losesNothing() {
    try (TcpProxy proxy = new TcpProxy(broker.port());
        DeviceLink link =
            DeviceLink.start(
                Fixtures.link("dev-a", proxy.url(), tmp.resolve("a")),
                () -> AgentTelemetry.empty("t"))) {
      capture(link, 0, 2000);
      await().until(() -> Fixtures.count(store, "SELECT count(*) FROM captures") > 0);
      proxy.cut();
      capture(link, 2000, 3000);
      await().until(() -> !link.connected());
      proxy.restore();
      awaitExactly(3000);
      await().until(() -> link.stats().outboxPendingRecords() == 0);
      await()
          .until(
              () ->
                  Fixtures.count(store, "SELECT count(*) FROM devices WHERE state = 'ONLINE'")
                      == 1);
    }
  }

  @Test
  void deviceKilledWithQueuedRecords_restartsAndDeliversEverything() throws Exception {
    Path dir = tmp.resolve("child");
    try (TcpProxy proxy = new TcpProxy(broker.port())) {
      Child first = Child.start(proxy.url(), dir, 0, 1500, 3000);
      try {
        first.await("DURABLE 1500");
        await().until(() -> Fixtures.count(store, "SELECT count(*) FROM captures") > 0);
        proxy.cut();
        first.send("go");
        first.await("DURABLE 3000");
      } finally {
        first.kill9();
      }
      assertThat(Fixtures.storedIds(store)).hasSizeLessThan(3000);
      proxy.restore();
      Child second = Child.start(proxy.url(), dir, 3000, 3000, 3000);
      try {
        awaitExactly(3000);
        second.await("DRAINED");
      } finally {
        second.kill9();
      }
    }
  }

  /** A {@link DeviceMain} child process and the lines it printed. */
  private record Child(Process process, List<String> lines) {
    static Child start(String url, Path dir, int from, int mid, int to) throws IOException {
      Process p =
          JvmLauncher.of(DeviceMain.class.getName())
              .args(
                  url,
                  dir.toString(),
                  "dev-k",
                  String.valueOf(from),
                  String.valueOf(mid),
                  String.valueOf(to))
              .stdout(ProcessBuilder.Redirect.PIPE)
              .stderrToStdout()
              .start()
              .process();
      List<String> lines = new CopyOnWriteArrayList<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  // The process died.
                }
              });
      reader.setDaemon(true);
      reader.start();
      return new Child(p, lines);
    }

    void await(String line) {
      org.awaitility.Awaitility.await()
          .atMost(SETTLE)
          .until(
              () -> {
                if (!process.isAlive() && !lines.contains(line)) {
                  throw new AssertionError("device process exited: " + String.join("\n", lines));
                }
                return lines.contains(line);
              });
    }

    void send(String line) throws IOException {
      OutputStream in = process.getOutputStream();
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    }

    /** SIGKILL: no shutdown hooks, no flushing, as a power cut or OOM kill would do. */
    void kill9() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
