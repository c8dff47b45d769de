package dev.kiln.cloud.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.cloud.CloudService;
import dev.kiln.link.DeviceLink;
import dev.kiln.link.capture.CaptureConfig;
import dev.kiln.link.telemetry.AgentTelemetry;
import dev.kiln.link.testing.FreePorts;
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
            dev.kiln.link.protocol.Topics.INGEST_GROUP,
            t -> t.backoff(Duration.ofMillis(50), Duration.ofMillis(500)));
    try (CloudService cloud = CloudService.start(o)) {
      assertThat(cloud.embeddedBroker()).isTrue();
      await().atMost(Duration.ofSeconds(20)).until(() -> cloud.ingestor().connected());
      try (DeviceLink link =
          DeviceLink.start(
              Fixtures.link("dev-e", cloud.brokerUrl(), tmp.resolve("dev")),
              () -> AgentTelemetry.empty("t"))) {
        for (int i = 0; i < 500; i++) {
          int n = i;
          link.recorder().capture(CaptureConfig.all(), () -> Fixtures.record(n));
        }
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> Fixtures.storedIds(cloud.store()).equals(Fixtures.ids(0, 500)));
        await()
            .until(
                () ->
                    Fixtures.count(
                            cloud.store(), "SELECT count(*) FROM devices WHERE state = 'ONLINE'")
                        == 1);
      }
    }
  }
}
