package dev.kiln.cloud.monitor;

/** Where alerts go: an MQTT topic on the ingestor's connection, or a short-lived client's. */
@FunctionalInterface
public interface AlertSink {
  /** Publishes at QoS 1, not retained; throws when the broker did not take it. */
  void publish(String topic, byte[] payload) throws Exception;
}
