package dev.kiln.link.transport;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one class that knows Paho. An MQTT 5 connection that keeps itself up: reconnect with backoff
 * and jitter, clean start false with a session expiry, TLS/mTLS from PEM files, a bound on QoS 1
 * publishes in flight, and manual acknowledgement of inbound QoS 1 messages.
 *
 * <p>Contracts: {@link #publish} never blocks; its future completes when the broker PUBACKs (QoS 1)
 * and fails if the connection drops first (the caller republishes; Paho's in-memory resend may then
 * deliver twice, which the protocol tolerates by de-duplicating ids). An inbound message is
 * acknowledged only after the {@link MessageHandler} returns; if it throws, the connection is
 * bounced so the broker redelivers from the session.
 *
 * <p>Each connection attempt uses a fresh Paho client: Paho's own resend of in-flight QoS 1
 * publishes on a resumed session made Mosquitto disconnect us with Protocol Error (0x82) in a loop
 * after a broker restart. The broker-side session (same client id, clean start false) is kept;
 * re-sending what was not acknowledged is the outbox's job.
 *
 * <p>Subscriptions a client cannot work without are {@linkplain #keepSubscribed kept}: made on
 * every connect, before the listeners run, and a refused or unanswered SUBSCRIBE bounces the
 * connection, so a client is never left connected but deaf.
 */
public final class MqttTransport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MqttTransport.class);

  /** Told about every (re)connect; subscribe and publish birth messages here. */
  public interface ConnectionListener {
    void onConnected(boolean sessionPresent);

    default void onDisconnected(String cause) {}
  }

  /** Processes one inbound message; returning normally acknowledges it. */
  public interface MessageHandler {
    void handle(InboundMessage message) throws Exception;
  }

  /**
   * Processes one inbound message and finishes later: the message is acknowledged when the stage
   * completes normally, and not acknowledged (the connection is bounced, so the broker delivers it
   * again) when it completes exceptionally. Stages must complete in the order their messages
   * arrived, as MQTT acknowledges QoS 1 messages in order.
   */
  public interface AsyncMessageHandler {
    CompletionStage<Void> handle(InboundMessage message);
  }

  /** Last will, rebuilt before each connect attempt so it can carry the connection's time. */
  public record Will(String topic, byte[] payload, boolean retained, MessageProps props) {}

  private record KeptSubscription(List<String> filters, int qos) {}

  private final TransportConfig config;
  private volatile MqttAsyncClient client;
  private final SSLSocketFactory socketFactory;
  private final ScheduledExecutorService scheduler;
  private final Backoff backoff;
  private final PendingPublishes pending;
  private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
  private final List<KeptSubscription> kept = new CopyOnWriteArrayList<>();
  // Kept subscriptions the broker granted on the current connection; replaced on each connect,
  // so an acknowledgement that arrives after a reconnect lands in a set nobody reads any more.
  private volatile Set<KeptSubscription> granted = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean reconnectScheduled = new AtomicBoolean();
  private volatile MessageHandler handler = m -> {};
  private volatile AsyncMessageHandler asyncHandler;
  private volatile Supplier<Will> will = () -> null;
  private volatile boolean closed;

  public MqttTransport(TransportConfig config) {
    this.config = config;
    this.socketFactory =
        config.tls()
            ? PemSslContexts.socketFactory(config.caFile(), config.certFile(), config.keyFile())
            : null;
    this.backoff = new Backoff(config.backoffMin(), config.backoffMax(), new Random());
    this.pending = new PendingPublishes(config.maxInflight());
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kiln-mqtt-" + config.clientId());
              t.setDaemon(true);
              return t;
            });
    // Fails fast on a URL Paho cannot use, before any background work starts.
    PahoProps.discard(newClient());
  }

  private MqttAsyncClient newClient() {
    try {
      MqttAsyncClient c =
          new MqttAsyncClient(config.brokerUrl(), config.clientId(), new MemoryPersistence());
      c.setManualAcks(true);
      c.setCallback(new PahoCallback(this, c));
      return c;
    } catch (MqttException e) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID, "cannot create MQTT client for " + config.brokerUrl(), e);
    }
  }

  public void addListener(ConnectionListener listener) {
    listeners.add(listener);
  }

  /**
   * Subscribes to {@code filters} on this and every later connection. Kept subscriptions go out on
   * each connect before the {@link ConnectionListener}s run; one added while connected goes out at
   * once. If the broker refuses one or does not answer within the connect timeout, the connection
   * is dropped and the reconnect, with backoff, tries again: better a logged reconnect loop than a
   * client that never hears.
   */
  public void keepSubscribed(List<String> filters, int qos) {
    KeptSubscription k = new KeptSubscription(List.copyOf(filters), qos);
    kept.add(k);
    MqttAsyncClient c = client;
    if (c != null && c.isConnected()) {
      // Added while connected: subscribe now rather than at the next connect. If the connect
      // callback is running at the same moment, the filter is subscribed twice, which is harmless.
      subscribeKept(c, k, granted);
    }
  }

  /** Connected, and the broker granted every {@link #keepSubscribed kept} subscription. */
  public boolean subscribed() {
    Set<KeptSubscription> now = granted;
    return isConnected() && now.containsAll(kept);
  }

  public void setMessageHandler(MessageHandler handler) {
    this.handler = handler;
  }

  /** Instead of {@link #setMessageHandler}: acknowledges when the handler's stage completes. */
  public void setAsyncMessageHandler(AsyncMessageHandler handler) {
    this.asyncHandler = handler;
  }

  public void setWill(Supplier<Will> will) {
    this.will = will;
  }

  /** Starts connecting in the background; returns at once. */
  public void start() {
    scheduler.execute(this::connectOnce);
  }

  public boolean isConnected() {
    MqttAsyncClient c = client;
    return c != null && c.isConnected();
  }

  public String clientId() {
    return config.clientId();
  }

  /** QoS 0 or 1 publish; see the class contract. Never throws. */
  public CompletableFuture<Void> publish(
      String topic, byte[] payload, int qos, boolean retained, MessageProps props) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    MqttAsyncClient c = client;
    if (closed || c == null || !c.isConnected()) {
      f.completeExceptionally(
          new LinkException(LinkErrorCode.NOT_CONNECTED, "not connected to " + config.brokerUrl()));
      return f;
    }
    if (!pending.track(f)) {
      f.completeExceptionally(
          new LinkException(
              LinkErrorCode.PUBLISH_FAILED,
              config.maxInflight() + " publishes already in flight; retry after some complete"));
      return f;
    }
    MqttMessage m = new MqttMessage(payload);
    m.setQos(qos);
    m.setRetained(retained);
    m.setProperties(PahoProps.toPaho(props));
    try {
      c.publish(topic, m, null, PahoProps.completing(f, "publish to " + topic));
    } catch (MqttException | RuntimeException e) {
      f.completeExceptionally(
          new LinkException(LinkErrorCode.PUBLISH_FAILED, "publish to " + topic + " failed", e));
    }
    return f;
  }

  /** Subscribes at QoS {@code qos}; completes when the broker grants every filter. */
  public CompletableFuture<Void> subscribe(List<String> filters, int qos) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    MqttSubscription[] subs =
        filters.stream().map(t -> new MqttSubscription(t, qos)).toArray(MqttSubscription[]::new);
    try {
      MqttAsyncClient c = client;
      if (c == null) {
        throw new LinkException(LinkErrorCode.NOT_CONNECTED, "not started");
      }
      c.subscribe(
          subs,
          null,
          PahoProps.completing(f, "subscribe to " + filters, LinkErrorCode.SUBSCRIBE_REFUSED),
          new MqttProperties());
    } catch (LinkException e) {
      f.completeExceptionally(e);
    } catch (MqttException | RuntimeException e) {
      // Paho refuses before sending when the CONNACK said the broker does not support the
      // filter (wildcards or shared subscriptions switched off): say which.
      f.completeExceptionally(
          new LinkException(
              isConnected() ? LinkErrorCode.SUBSCRIBE_REFUSED : LinkErrorCode.NOT_CONNECTED,
              "subscribe to " + filters + " failed: " + e.getMessage(),
              e));
    }
    return f;
  }

  /** Disconnects cleanly (the broker discards the will) and releases threads. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    scheduler.shutdownNow();
    MqttAsyncClient c = client;
    if (c != null) {
      try {
        if (c.isConnected()) {
          c.disconnect(2000).waitForCompletion(3000);
        }
      } catch (MqttException e) {
        LOG.debug("disconnect on close failed", e);
      }
      PahoProps.discard(c);
    }
    pending.failAll("transport closed");
  }

  private void connectOnce() {
    reconnectScheduled.set(false);
    MqttAsyncClient old = client;
    if (closed || (old != null && old.isConnected())) {
      return;
    }
    if (old != null) {
      PahoProps.discard(old);
    }
    MqttAsyncClient c;
    try {
      c = newClient();
    } catch (LinkException e) {
      LOG.warn("cannot create MQTT client: {}", e.getMessage());
      scheduleReconnect();
      return;
    }
    client = c;
    try {
      c.connect(
          PahoProps.connectOptions(config, socketFactory, will.get()),
          null,
          new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
              if (client != c) {
                return;
              }
              backoff.reset();
              LOG.info("connected to {} as {}", config.brokerUrl(), config.clientId());
              subscribeKept(c);
              for (ConnectionListener l : listeners) {
                try {
                  l.onConnected(token.getSessionPresent());
                } catch (RuntimeException e) {
                  LOG.warn("connection listener failed", e);
                }
              }
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
              LOG.debug("connect to {} failed: {}", config.brokerUrl(), e.toString());
              if (client == c) {
                scheduleReconnect();
              }
            }
          });
    } catch (MqttException | RuntimeException e) {
      LOG.debug("connect to {} failed: {}", config.brokerUrl(), e.toString());
      scheduleReconnect();
    }
  }

  private void subscribeKept(MqttAsyncClient c) {
    Set<KeptSubscription> grantedHere = ConcurrentHashMap.newKeySet();
    granted = grantedHere;
    for (KeptSubscription k : kept) {
      subscribeKept(c, k, grantedHere);
    }
  }

  private void subscribeKept(MqttAsyncClient c, KeptSubscription k, Set<KeptSubscription> into) {
    subscribe(k.filters(), k.qos())
        .orTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (v, e) -> {
              if (client != c) {
                return; // a newer connection subscribes for itself
              }
              if (e == null) {
                into.add(k);
                return;
              }
              LOG.warn(
                  "{}: subscribing to {} failed ({}); reconnecting to try again",
                  config.clientId(),
                  k.filters(),
                  e instanceof java.util.concurrent.TimeoutException
                      ? "no answer within " + config.connectTimeout().toSeconds() + " s"
                      : e.getMessage());
              executeQuietly(() -> bounce(c, "a kept subscription failed"));
            });
  }

  private void executeQuietly(Runnable r) {
    try {
      scheduler.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed meanwhile: nothing left to do.
    }
  }

  private void scheduleReconnect() {
    if (closed || !reconnectScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      scheduler.schedule(this::connectOnce, backoff.next().toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed while scheduling: nothing to reconnect.
    }
  }

  private void connectionDropped(String cause) {
    pending.failAll(cause);
    for (ConnectionListener l : listeners) {
      try {
        l.onDisconnected(cause);
      } catch (RuntimeException e) {
        LOG.warn("connection listener failed", e);
      }
    }
    scheduleReconnect();
  }

  /** Drops the connection so the broker redelivers what we did not acknowledge. */
  private void bounce(MqttAsyncClient from, String cause) {
    if (client != from) {
      return;
    }
    PahoProps.discard(from);
    connectionDropped(cause);
  }

  /** Called by {@link PahoCallback}: events of replaced clients are ignored. */
  boolean isCurrent(MqttAsyncClient c) {
    return client == c;
  }

  void lost(MqttAsyncClient from, String cause) {
    if (client == from) {
      LOG.info("disconnected from {}: {}", config.brokerUrl(), cause);
      connectionDropped(cause);
    }
  }

  /**
   * Delivers to the asynchronous handler when one is set (null otherwise); completes with true when
   * the message may be acknowledged.
   */
  CompletionStage<Boolean> deliverLater(MqttAsyncClient from, InboundMessage in) {
    AsyncMessageHandler h = asyncHandler;
    if (h == null) {
      return null;
    }
    CompletionStage<Void> stage;
    try {
      stage = h.handle(in);
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return stage.handle(
        (ok, e) -> {
          if (e == null) {
            return true;
          }
          LOG.warn("handler failed for message on {}; not acknowledging it", in.topic(), e);
          scheduler.execute(() -> bounce(from, "bounced after a handler failure"));
          return false;
        });
  }

  /** Delivers to the handler; true when the message may be acknowledged. */
  boolean deliver(MqttAsyncClient from, InboundMessage in) {
    try {
      handler.handle(in);
      return true;
    } catch (Exception e) {
      LOG.warn("handler failed for message on {}; not acknowledging it", in.topic(), e);
      scheduler.execute(() -> bounce(from, "bounced after a handler failure"));
      return false;
    }
  }
}
