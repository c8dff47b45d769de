package dev.kiln.cloud;

import dev.kiln.cloud.broker.BrokerListener;
import dev.kiln.cloud.broker.BrokerTls;
import dev.kiln.cloud.broker.EmbeddedBroker;
import dev.kiln.cloud.ingest.IngestConfig;
import dev.kiln.cloud.ingest.Ingestor;
import dev.kiln.cloud.monitor.Monitor;
import dev.kiln.cloud.monitor.MonitorLoop;
import dev.kiln.cloud.monitor.ViolationMetrics;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.StoreLocation;
import dev.kiln.link.transport.TransportConfig;
import java.nio.file.Path;
import java.time.Duration;
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
   * @param shareGroup shared-subscription group for capture on an external broker; null for a plain
   *     subscription. With the embedded broker the subscription is always plain (see {@link
   *     #shareGroup}).
   * @param tls the embedded broker's mutual-TLS files; null for a plain loopback broker
   */
  public record Options(
      String brokerUrl,
      StoreLocation store,
      String bind,
      int port,
      Path brokerDir,
      boolean persistentBroker,
      String clientId,
      String shareGroup,
      Consumer<TransportConfig.Builder> transport,
      BrokerTls tls) {
    /** A DuckDB file with the embedded broker or an external one. */
    public Options(
        String brokerUrl,
        Path db,
        String bind,
        int port,
        Path brokerDir,
        boolean persistentBroker,
        String clientId,
        String shareGroup,
        Consumer<TransportConfig.Builder> transport,
        BrokerTls tls) {
      this(
          brokerUrl,
          StoreLocation.duckdb(db),
          bind,
          port,
          brokerDir,
          persistentBroker,
          clientId,
          shareGroup,
          transport,
          tls);
    }

    /** A DuckDB file with a plain embedded broker (or an external one). */
    public Options(
        String brokerUrl,
        Path db,
        String bind,
        int port,
        Path brokerDir,
        boolean persistentBroker,
        String clientId,
        String shareGroup,
        Consumer<TransportConfig.Builder> transport) {
      this(
          brokerUrl,
          StoreLocation.duckdb(db),
          bind,
          port,
          brokerDir,
          persistentBroker,
          clientId,
          shareGroup,
          transport,
          null);
    }

    /** A plain embedded broker (or an external one). */
    public Options(
        String brokerUrl,
        StoreLocation store,
        String bind,
        int port,
        Path brokerDir,
        boolean persistentBroker,
        String clientId,
        String shareGroup,
        Consumer<TransportConfig.Builder> transport) {
      this(
          brokerUrl,
          store,
          bind,
          port,
          brokerDir,
          persistentBroker,
          clientId,
          shareGroup,
          transport,
          null);
    }
  }

  private static final Duration INGESTOR_READY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration ALERT_PUBLISH_TIMEOUT = Duration.ofSeconds(10);

  private final CaptureStore store;
  private final ViolationMetrics violationMetrics;
  private final EmbeddedBroker broker;
  private final Ingestor ingestor;
  private final String brokerUrl;
  private volatile MonitorLoop monitor;

  private CloudService(CaptureStore store, EmbeddedBroker broker, Ingestor ingestor, String url) {
    this.store = store;
    this.violationMetrics = new ViolationMetrics(store);
    this.broker = broker;
    this.ingestor = ingestor;
    this.brokerUrl = url;
  }

  public static CloudService start(Options o) {
    // Checked before anything opens: an exposed plain listener is refused without side effects.
    BrokerListener listener =
        o.brokerUrl() == null ? new BrokerListener(o.bind(), o.port(), o.tls()) : null;
    CaptureStore store = CaptureStore.open(o.store());
    EmbeddedBroker broker = null;
    try {
      if (listener != null) {
        broker = EmbeddedBroker.start(listener, o.brokerDir(), o.persistentBroker());
      }
      String url = broker != null ? broker.localUrl() : o.brokerUrl();
      TransportConfig.Builder t = TransportConfig.builder(url, o.clientId());
      if (o.transport() != null) {
        o.transport().accept(t);
      }
      if (broker != null && broker.tls() != null) {
        // The in-process ingestor is a client like any other: it shows the ingestor identity.
        BrokerTls tls = broker.tls();
        t.tls(tls.caFile(), tls.ingestCertFile(), tls.ingestKeyFile());
      }
      Ingestor ingestor = new Ingestor(new IngestConfig(t.build(), shareGroup(o, broker)), store);
      ingestor.start();
      if (broker != null) {
        awaitIngestor(ingestor);
      }
      return new CloudService(store, broker, ingestor, url);
    } catch (RuntimeException e) {
      if (broker != null) {
        broker.close();
      }
      store.close();
      throw e;
    }
  }

  /**
   * With the embedded broker the ingestor takes all capture with a plain subscription: it is the
   * one ingestor of a single-process setup, so sharing buys nothing, and HiveMQ CE's delivery of
   * QoS 1 messages to a shared subscription can stall with the connection up (seen in our CI: the
   * broker acknowledged a device's batches and never delivered them; hivemq-community-edition#558).
   * Ingestors that split capture between them do so on an external broker.
   */
  private static String shareGroup(Options o, EmbeddedBroker broker) {
    return broker != null ? null : o.shareGroup();
  }

  /**
   * With the embedded broker, devices are usually started right after this returns (the demo, a
   * laptop session): captures they publish before the ingestor's subscription exists are refused by
   * the broker (no subscriber) and retried with a growing pause, which only delays them, so wait
   * for it. An external broker may be down for a while; the ingestor then keeps retrying in the
   * background and start does not block.
   */
  private static void awaitIngestor(Ingestor ingestor) {
    try {
      if (!ingestor.awaitReady(INGESTOR_READY_TIMEOUT)) {
        ingestor.close();
        throw new IllegalStateException(
            "the ingestor did not subscribe to the embedded broker within "
                + INGESTOR_READY_TIMEOUT.toSeconds()
                + " s; see the log above for the broker's error, and check the port is free");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ingestor.close();
      throw new IllegalStateException("interrupted while waiting for the ingestor", e);
    }
  }

  /**
   * Starts drift checks in this process ({@code kiln cloud run --monitor}); alerts go out on the
   * ingestor's connection. Stopped by {@link #close}.
   */
  public synchronized void startMonitor(
      MonitorLoop.Settings settings, Consumer<Monitor.Outcome> onCheck) {
    if (monitor != null) {
      throw new IllegalStateException("the monitor is already running");
    }
    monitor =
        MonitorLoop.start(
            store,
            (topic, payload) -> ingestor.publish(topic, payload, ALERT_PUBLISH_TIMEOUT),
            settings,
            o -> {
              violationMetrics.checked(o);
              onCheck.accept(o);
            });
  }

  /**
   * The drift violations as Prometheus text, with the monitor's check times when it runs here; for
   * the service's {@code GET /metrics}.
   */
  public ViolationMetrics violationMetrics() {
    return violationMetrics;
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
    MonitorLoop m = monitor;
    if (m != null) {
      m.close();
    }
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
