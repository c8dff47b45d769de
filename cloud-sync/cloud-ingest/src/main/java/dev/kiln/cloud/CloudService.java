package dev.kiln.cloud;

import dev.kiln.cloud.broker.EmbeddedBroker;
import dev.kiln.cloud.ingest.IngestConfig;
import dev.kiln.cloud.ingest.Ingestor;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.transport.TransportConfig;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What {@code kiln cloud run} runs: the store, the ingestor and, without a broker URL, an embedded
 * broker. Closing stops them in reverse order.
 */
public final class CloudService implements AutoCloseable {
  /**
   * Settings of one cloud process.
   *
   * @param brokerUrl an external MQTT 5 broker; null starts the embedded one on bind:port
   * @param brokerDir where the embedded broker keeps its sessions and queued messages
   * @param shareGroup shared-subscription group for capture; null for a plain subscription
   */
  public record Options(
      String brokerUrl,
      Path db,
      String bind,
      int port,
      Path brokerDir,
      boolean persistentBroker,
      String clientId,
      String shareGroup,
      Consumer<TransportConfig.Builder> transport) {}

  private final CaptureStore store;
  private final EmbeddedBroker broker;
  private final Ingestor ingestor;
  private final String brokerUrl;

  private CloudService(CaptureStore store, EmbeddedBroker broker, Ingestor ingestor, String url) {
    this.store = store;
    this.broker = broker;
    this.ingestor = ingestor;
    this.brokerUrl = url;
  }

  public static CloudService start(Options o) {
    CaptureStore store = CaptureStore.open(o.db());
    EmbeddedBroker broker = null;
    try {
      if (o.brokerUrl() == null) {
        broker = EmbeddedBroker.start(o.bind(), o.port(), o.brokerDir(), o.persistentBroker());
      }
      String url = broker != null ? broker.localUrl() : o.brokerUrl();
      TransportConfig.Builder t = TransportConfig.builder(url, o.clientId());
      if (o.transport() != null) {
        o.transport().accept(t);
      }
      Ingestor ingestor = new Ingestor(new IngestConfig(t.build(), o.shareGroup()), store);
      ingestor.start();
      return new CloudService(store, broker, ingestor, url);
    } catch (RuntimeException e) {
      if (broker != null) {
        broker.close();
      }
      store.close();
      throw e;
    }
  }

  public Ingestor ingestor() {
    return ingestor;
  }

  public CaptureStore store() {
    return store;
  }

  public String brokerUrl() {
    return brokerUrl;
  }

  public boolean embeddedBroker() {
    return broker != null;
  }

  @Override
  public void close() {
    try {
      ingestor.close();
    } finally {
      try {
        if (broker != null) {
          broker.close();
        }
      } finally {
        store.close();
      }
    }
  }
}
