package dev.kiln.cloud.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.cloud.ingest.Ingestor;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.DeviceLink;
import dev.kiln.link.capture.CaptureConfig;
import dev.kiln.link.telemetry.AgentTelemetry;
import dev.kiln.testkit.Mosquitto;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Device link to a real Mosquitto to the ingestor to DuckDB. */
class CaptureFlowIT {
  @TempDir Path tmp;
  private Mosquitto broker;

  @BeforeEach
  void start() {
    broker = Mosquitto.start(tmp.resolve("broker"));
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  private static void capture(DeviceLink link, int from, int to) {
    for (int i = from; i < to; i++) {
      int n = i;
      assertThat(link.recorder().capture(CaptureConfig.all(), () -> Fixtures.record(n))).isTrue();
    }
  }

  @Test
  void everyRecord_isStoredExactlyOnce_andRegistryFollowsDevices() {
    try (CaptureStore store = CaptureStore.open(tmp.resolve("cloud.duckdb"));
        Ingestor ingestor = new Ingestor(Fixtures.ingest(broker.url(), "ingest-1"), store)) {
      ingestor.start();
      await().until(ingestor::ready);
      try (DeviceLink a =
              DeviceLink.start(
                  Fixtures.link("dev-a", broker.url(), tmp.resolve("a")),
                  () -> AgentTelemetry.empty("t"));
          DeviceLink b =
              DeviceLink.start(
                  Fixtures.link("dev-b", broker.url(), tmp.resolve("b")),
                  () -> AgentTelemetry.empty("t"))) {
        capture(a, 0, 2000);
        capture(b, 2000, 2500);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> Fixtures.storedIds(store).size() == 2500);
        assertThat(Fixtures.storedIds(store)).isEqualTo(Fixtures.ids(0, 2500));
        assertThat(Fixtures.count(store, "SELECT count(*) FROM captures")).isEqualTo(2500);
        assertThat(Fixtures.count(store, "SELECT count(*) FROM captures WHERE device_id = 'dev-b'"))
            .isEqualTo(500);
        await()
            .until(
                () ->
                    Fixtures.count(store, "SELECT count(*) FROM devices WHERE state = 'ONLINE'")
                            == 2
                        && Fixtures.count(store, "SELECT count(DISTINCT device_id) FROM heartbeats")
                            == 2);
      }
      await()
          .until(
              () ->
                  Fixtures.count(
                          store,
                          "SELECT count(*) FROM devices WHERE state = 'OFFLINE' AND reason = 'shutdown'")
                      == 2);
      assertThat(ingestor.stats().rejected()).isZero();
    }
  }

  @Test
  void deviceBeforeAnyIngestor_keepsCaptureUntilOneSubscribes() {
    try (DeviceLink a =
        DeviceLink.start(
            Fixtures.link("dev-a", broker.url(), tmp.resolve("a")),
            () -> AgentTelemetry.empty("t"))) {
      capture(a, 0, 300);
      // The broker answers "no matching subscribers" (0x10): the records must stay queued.
      await().until(a::connected);
      await().until(() -> a.captureWritten() == 300);
      long refusedBefore = a.captureSendFailures();
      await().atMost(Duration.ofSeconds(30)).until(() -> a.captureSendFailures() > refusedBefore);
      assertThat(a.stats().outboxPendingRecords()).isEqualTo(300);
      assertThat(a.stats().capturePublishedRecords()).isZero();
      try (CaptureStore store = CaptureStore.open(tmp.resolve("cloud.duckdb"));
          Ingestor ingestor = new Ingestor(Fixtures.ingest(broker.url(), "ingest-1"), store)) {
        ingestor.start();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> Fixtures.storedIds(store).equals(Fixtures.ids(0, 300)));
      }
    }
  }

  @Test
  void twoIngestors_splitCapture_throughSharedSubscription() {
    try (CaptureStore s1 = CaptureStore.open(tmp.resolve("one.duckdb"));
        CaptureStore s2 = CaptureStore.open(tmp.resolve("two.duckdb"));
        Ingestor i1 = new Ingestor(Fixtures.ingest(broker.url(), "ingest-1"), s1);
        Ingestor i2 = new Ingestor(Fixtures.ingest(broker.url(), "ingest-2"), s2)) {
      i1.start();
      i2.start();
      await().until(() -> i1.ready() && i2.ready());
      try (DeviceLink a =
          DeviceLink.start(
              Fixtures.link("dev-a", broker.url(), tmp.resolve("a")),
              () -> AgentTelemetry.empty("t"))) {
        // Let both subscriptions settle before the first batch.
        await().until(a::connected);
        for (int i = 0; i < 2000; i += 100) {
          capture(a, i, i + 100);
        }
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  Set<String> all = new HashSet<>(Fixtures.storedIds(s1));
                  all.addAll(Fixtures.storedIds(s2));
                  return all.equals(Fixtures.ids(0, 2000));
                });
      }
      assertThat(i1.stats().batches()).isPositive();
      assertThat(i2.stats().batches()).isPositive();
    }
  }
}
