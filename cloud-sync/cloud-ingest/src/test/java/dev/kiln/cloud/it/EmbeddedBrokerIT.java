package dev.kiln.cloud.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.broker.EmbeddedBroker;
import dev.kiln.cloud.ingest.IngestConfig;
import dev.kiln.cloud.ingest.Ingestor;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.DeviceLink;
import dev.kiln.link.capture.CaptureConfig;
import dev.kiln.link.telemetry.AgentTelemetry;
import dev.kiln.testkit.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln cloud run} without --broker: the embedded MQTT 5 broker serves devices and the
 * ingestor.
 */
class EmbeddedBrokerIT {
  @TempDir Path tmp;

  @Test
  void embeddedBroker_speaksMqtt5_andCaptureReachesDuckDb() {
    int port = FreePorts.next();
    CloudService.Options o =
        new CloudService.Options(
            null,
            tmp.resolve("cloud.duckdb"),
            "127.0.0.1",
            port,
            tmp.resolve("broker"),
            true,
            "ingest-embedded",
            // Ignored with the embedded broker: its one ingestor subscribes plainly.
            dev.kiln.link.protocol.Topics.INGEST_GROUP,
            t -> t.backoff(Duration.ofMillis(50), Duration.ofMillis(500)));
    try (CloudService cloud = CloudService.start(o)) {
      assertThat(cloud.embeddedBroker()).isTrue();
      // start returns only once the capture subscription is acknowledged, so a device started
      // right after (as the demo does) never publishes into an empty broker.
      assertThat(cloud.ingestor().ready()).isTrue();
      try (DeviceLink link =
          DeviceLink.start(
              Fixtures.link("dev-e", cloud.brokerUrl(), tmp.resolve("dev")),
              () -> AgentTelemetry.empty("t"))) {
        capture(link, 0, 500);
        awaitStored(cloud.store(), link, cloud.ingestor(), 500);
        await()
            .until(
                () ->
                    Fixtures.count(
                            cloud.store(), "SELECT count(*) FROM devices WHERE state = 'ONLINE'")
                        == 1);
      }
    }
  }

  @Test
  void deviceBeforeAnyIngestor_keepsCapture_untilTheIngestorSubscribes() {
    try (EmbeddedBroker broker =
            EmbeddedBroker.start("127.0.0.1", FreePorts.next(), tmp.resolve("broker"), true);
        DeviceLink link =
            DeviceLink.start(
                Fixtures.link("dev-early", broker.localUrl(), tmp.resolve("dev")),
                () -> AgentTelemetry.empty("t"))) {
      capture(link, 0, 300);
      await().until(link::connected);
      // The embedded broker, like Mosquitto, answers "no matching subscribers" (0x10): the
      // records must stay in the outbox rather than vanish into an empty topic.
      await().until(() -> link.captureWritten() == 300);
      long refusedBefore = link.captureSendFailures();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> link.captureSendFailures() > refusedBefore);
      assertThat(link.stats().outboxPendingRecords()).isEqualTo(300);
      assertThat(link.stats().capturePublishedRecords()).isZero();
      try (CaptureStore store = CaptureStore.open(tmp.resolve("cloud.duckdb"));
          Ingestor ingestor =
              new Ingestor(
                  // Plain, as CloudService subscribes on the embedded broker.
                  new IngestConfig(
                      Fixtures.ingest(broker.localUrl(), "ingest-late").transport(), null),
                  store)) {
        ingestor.start();
        awaitStored(store, link, ingestor, 300);
      }
    }
  }

  private static void capture(DeviceLink link, int from, int to) {
    for (int i = from; i < to; i++) {
      int n = i;
      assertThat(link.recorder().capture(CaptureConfig.all(), () -> Fixtures.record(n))).isTrue();
    }
  }

  /** Waits for records 0..n; on timeout the message says where the missing ones are. */
  private static void awaitStored(CaptureStore store, DeviceLink link, Ingestor ingestor, int n) {
    await()
        .atMost(Duration.ofSeconds(45))
        .untilAsserted(
            () ->
                assertThat(Fixtures.storedIds(store))
                    .as("device %s, ingestor %s", link.stats(), ingestor.stats())
                    .isEqualTo(Fixtures.ids(0, n)));
  }
}
