package dev.kiln.cloud.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.embedded.EmbeddedHiveMQ;
import dev.kiln.cloud.ingest.Ingestor;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import dev.kiln.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker that refuses a subscription (here HiveMQ with wildcard subscriptions switched off, as
 * some operators run it) must not leave a client connected but deaf: it is never reported ready,
 * and it keeps reconnecting to try again.
 */
class RefusedSubscriptionIT {
  @TempDir Path tmp;

  private static MqttTransport transport(String url, String id) {
    return new MqttTransport(
        TransportConfig.builder(url, id)
            .backoff(Duration.ofMillis(50), Duration.ofMillis(300))
            .build());
  }

  @Test
  void refusedSubscription_isNeverReady_andTheClientKeepsTrying() throws Exception {
    int port = FreePorts.next();
    Path conf = Files.createDirectories(tmp.resolve("conf"));
    Files.writeString(
        conf.resolve("config.xml"),
        """
        <?xml version="1.0"?>
        <hivemq>
          <listeners>
            <tcp-listener><port>%d</port><bind-address>127.0.0.1</bind-address></tcp-listener>
          </listeners>
          <mqtt><wildcard-subscriptions><enabled>false</enabled></wildcard-subscriptions></mqtt>
          <persistence><mode>in-memory</mode></persistence>
          <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
        </hivemq>
        """
            .formatted(port));
    try (EmbeddedHiveMQ hivemq =
        EmbeddedHiveMQ.builder()
            .withConfigurationFolder(conf)
            .withDataFolder(Files.createDirectories(tmp.resolve("data")))
            .withExtensionsFolder(Files.createDirectories(tmp.resolve("extensions")))
            .build()) {
      hivemq.start().join();
      String url = "tcp://127.0.0.1:" + port;
      try (CaptureStore store = CaptureStore.open(tmp.resolve("cloud.duckdb"));
          Ingestor ingestor = new Ingestor(Fixtures.ingest(url, "ingest-refused"), store);
          MqttTransport exact = transport(url, "exact");
          MqttTransport wildcard = transport(url, "wildcard")) {
        AtomicInteger exactConnects = new AtomicInteger();
        AtomicInteger wildcardConnects = new AtomicInteger();
        exact.keepSubscribed(List.of("kiln/v1/devices/d1/replies"), 1);
        exact.addListener(present -> exactConnects.incrementAndGet());
        wildcard.keepSubscribed(List.of("kiln/v1/devices/+/replies"), 1);
        wildcard.addListener(present -> wildcardConnects.incrementAndGet());
        exact.start();
        wildcard.start();
        ingestor.start();

        // The broker grants a filter without wildcards, once, and that client stays connected.
        await().until(exact::subscribed);
        // A wildcard filter is refused: the client connects, is bounced, and connects again.
        await().atMost(Duration.ofSeconds(20)).until(() -> wildcardConnects.get() >= 3);
        assertThat(wildcard.subscribed()).isFalse();
        // The ingestor subscribes with wildcards too, so it never claims to be ready.
        assertThat(ingestor.ready()).isFalse();
        assertThat(exactConnects).hasValue(1);
      }
      hivemq.stop().join();
    }
  }
}
