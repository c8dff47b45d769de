package dev.kiln.link.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import dev.kiln.testkit.Mosquitto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client with kept subscriptions is never left connected but deaf. */
class KeptSubscriptionIT {
  @TempDir Path tmp;

  private static MqttTransport transport(String url, String id) {
    return new MqttTransport(
        TransportConfig.builder(url, id)
            .backoff(Duration.ofMillis(50), Duration.ofMillis(300))
            .connectTimeout(Duration.ofSeconds(2))
            .build());
  }

  @Test
  void brokerThatLostTheSession_isSubscribedAgain_andDeliversAfterReconnect() throws IOException {
    Path dir = tmp.resolve("broker");
    try (Mosquitto broker = Mosquitto.start(dir);
        MqttTransport listener = transport(broker.url(), "kept-listener");
        MqttTransport sender = transport(broker.url(), "kept-sender")) {
      List<InboundMessage> seen = new CopyOnWriteArrayList<>();
      AtomicInteger sessionsResumed = new AtomicInteger();
      listener.setMessageHandler(seen::add);
      listener.keepSubscribed(List.of("kept/#"), 1);
      listener.addListener(
          present -> {
            if (present) {
              sessionsResumed.incrementAndGet();
            }
          });
      listener.start();
      sender.start();
      await().until(() -> listener.subscribed() && sender.isConnected());

      // Stop the broker and throw its persistence away: it comes back knowing no subscriptions.
      broker.stop();
      await().until(() -> !listener.subscribed());
      Files.deleteIfExists(dir.resolve("mosquitto.db"));
      broker.restart();

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> listener.subscribed() && sender.isConnected());
      assertThat(sessionsResumed).hasValue(0);
      sender
          .publish(
              "kept/a", "after".getBytes(StandardCharsets.UTF_8), 1, false, MessageProps.none())
          .join();
      await().until(() -> seen.stream().anyMatch(m -> m.topic().equals("kept/a")));

      // A subscription kept while connected goes out at once, and is kept from then on.
      listener.keepSubscribed(List.of("late/#"), 1);
      await().until(listener::subscribed);
      sender
          .publish("late/b", "late".getBytes(StandardCharsets.UTF_8), 1, false, MessageProps.none())
          .join();
      await().until(() -> seen.stream().anyMatch(m -> m.topic().equals("late/b")));
    }
  }
}
