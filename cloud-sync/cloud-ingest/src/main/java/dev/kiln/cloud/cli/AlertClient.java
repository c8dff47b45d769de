package dev.kiln.cloud.cli;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import dev.kiln.cloud.monitor.AlertSink;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A short-lived MQTT client for the alerts of one check. */
final class AlertClient implements AlertSink, AutoCloseable {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
  private final MqttTransport transport;

  private AlertClient(MqttTransport transport) {
    this.transport = transport;
  }

  static AlertClient connect(String url, String clientId, Path ca, Path cert, Path key)
      throws InterruptedException {
    TransportConfig.Builder b = TransportConfig.builder(url, clientId);
    if (ca != null || cert != null) {
      b.tls(ca, cert, key);
    }
    MqttTransport t = new MqttTransport(b.build());
    t.start();
    long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
    while (!t.isConnected()) {
      if (System.nanoTime() > deadline) {
        t.close();
        throw new CloudException(
            CloudErrorCode.BROKER_FAILED, "cannot connect to " + url + " to publish alerts");
      }
      Thread.sleep(20);
    }
    return new AlertClient(t);
  }

  @Override
  public void publish(String topic, byte[] payload) throws Exception {
    transport
        .publish(
            topic,
            payload,
            1,
            false,
            new MessageProps("application/json", null, null, null, Map.of()))
        .get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    transport.close();
  }
}
