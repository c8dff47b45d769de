package dev.kiln.link;

import dev.kiln.link.outbox.Outbox;
import dev.kiln.link.outbox.OutboxPublisher;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureBatchCodec;
import dev.kiln.link.transport.MqttTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** Encodes an outbox batch as a gzip NDJSON capture batch and publishes it at QoS 1. */
final class CaptureBatchPublisher implements OutboxPublisher.Sink {
  private final MqttTransport transport;
  private final String topic;
  private final long expirySeconds;

  CaptureBatchPublisher(MqttTransport transport, String topic, Duration expiry) {
    this.transport = transport;
    this.topic = topic;
    this.expirySeconds = expiry.toSeconds();
  }

  @Override
  public boolean ready() {
    return transport.isConnected();
  }

  @Override
  public CompletableFuture<Void> send(List<Outbox.Entry> batch) {
    List<byte[]> records = new ArrayList<>(batch.size());
    for (Outbox.Entry e : batch) {
      records.add(e.payload());
    }
    MessageProps props =
        new MessageProps(
            CaptureBatchCodec.CONTENT_TYPE,
            expirySeconds,
            null,
            null,
            Map.of(
                CaptureBatchCodec.PROP_ENCODING, CaptureBatchCodec.ENCODING,
                CaptureBatchCodec.PROP_SCHEMA, String.valueOf(ProtocolJson.SCHEMA_VERSION),
                CaptureBatchCodec.PROP_BATCH_ID, UUID.randomUUID().toString(),
                CaptureBatchCodec.PROP_RECORDS, String.valueOf(batch.size())));
    return transport.publish(topic, CaptureBatchCodec.encode(records), 1, false, props);
  }
}
