package dev.kiln.fleet.simulate;

import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.Topic;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection carrying many simulated devices, so one JVM can simulate a fleet of
 * thousands: a connection costs the broker a socket and the JVM five threads (Paho's four and the
 * transport's), a device costs neither.
 *
 * <p>On the wire each device still looks like an agent: it subscribes to its own command and chunk
 * filters only (no wildcard over other devices, so a connection receives only its devices'
 * messages, and routes each by the device id in its topic) and publishes its own retained birth and
 * info once those subscriptions are granted.
 *
 * <p>Limitation: MQTT has one last will per connection. A connection of one device carries that
 * device's will, as an agent does; a connection of several carries none. On {@link #close} every
 * device says goodbye (a retained shutdown status), but an <b>unclean loss of a shared connection
 * does not mark its devices offline</b>: the console keeps them online until they reconnect with a
 * new birth.
 */
final class SharedConnection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SharedConnection.class);

  /** Devices per SUBSCRIBE packet (two filters each): a few packets per connect, none huge. */
  static final int DEVICES_PER_SUBSCRIBE = 100;

  private static final long GOODBYE_WAIT_MS = 10_000;

  private final MqttTransport transport;
  private final WindowedPublisher publisher;
  private final Map<String, SimulatedDevice> devices = new ConcurrentHashMap<>();
  private volatile long connectedAt;
  private volatile boolean started;

  /**
   * @param threads where publish completions continue; the devices' own work runs elsewhere
   */
  SharedConnection(String brokerUrl, String clientId, Executor threads) {
    this.transport = new MqttTransport(TransportConfig.builder(brokerUrl, clientId).build());
    this.publisher = new WindowedPublisher(transport, threads);
  }

  /** Adds a device; only before {@link #start}, since subscriptions are made on connect. */
  void attach(SimulatedDevice device) {
    if (started) {
      throw new IllegalStateException(
          "attach " + device.id() + " before the connection starts; it subscribes on connect");
    }
    devices.put(device.id(), device);
  }

  /** The device stops receiving; its broker subscriptions stay until the session expires. */
  void detach(SimulatedDevice device) {
    devices.remove(device.id(), device);
  }

  /** Connects in the background and keeps reconnecting; returns at once. */
  void start() {
    started = true;
    transport.setWill(this::will);
    transport.addListener(sessionPresent -> subscribeAndGreet());
    transport.setMessageHandler(this::route);
    transport.start();
  }

  boolean connected() {
    return transport.isConnected();
  }

  /** When the current connection was made: every birth and will on it carries this time. */
  long connectedAt() {
    return connectedAt;
  }

  int devices() {
    return devices.size();
  }

  CompletableFuture<Void> publish(
      String topic, byte[] payload, boolean retained, MessageProps props) {
    return publisher.publish(topic, payload, retained, props);
  }

  /** Built before each connect attempt, so its time is that connection's. */
  private MqttTransport.Will will() {
    connectedAt = System.currentTimeMillis();
    List<SimulatedDevice> all = List.copyOf(devices.values());
    return all.size() == 1 ? all.get(0).will(connectedAt) : null;
  }

  /**
   * Subscribes each batch of devices to their own filters, and lets a device announce itself only
   * once its subscriptions are granted: the console deploys as soon as it sees a birth, and a
   * command sent before the subscription would be lost.
   */
  private void subscribeAndGreet() {
    List<SimulatedDevice> all = new ArrayList<>(devices.values());
    for (int from = 0; from < all.size(); from += DEVICES_PER_SUBSCRIBE) {
      List<SimulatedDevice> batch =
          all.subList(from, Math.min(all.size(), from + DEVICES_PER_SUBSCRIBE));
      List<String> filters = new ArrayList<>();
      for (SimulatedDevice d : batch) {
        filters.add(Topics.commandFilter(d.id()));
        filters.add(Topics.artifactChunkFilter(d.id()));
      }
      transport
          .subscribe(filters, 1)
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  // Only while the connection drops: the next connect subscribes again.
                  LOG.warn(
                      "{}: subscribing {} devices failed: {}",
                      transport.clientId(),
                      batch.size(),
                      e.toString());
                  return;
                }
                batch.forEach(SimulatedDevice::onConnected);
              });
    }
  }

  private void route(InboundMessage m) {
    String id = deviceOf(m.topic());
    SimulatedDevice d = id == null ? null : devices.get(id);
    if (d != null) {
      d.receive(m);
    } else {
      LOG.debug("{}: no device here for {}", transport.clientId(), m.topic());
    }
  }

  /** The device id of a {@code kiln/v1/devices/{id}/...} topic; null for any other topic. */
  static String deviceOf(String topic) {
    return Topic.parse(topic).map(Topic::deviceId).orElse(null);
  }

  /**
   * Publishes a shutdown status for every device still here (the broker discards the will on a
   * clean disconnect, so this is how the console learns they left), then disconnects.
   */
  @Override
  public void close() {
    if (transport.isConnected()) {
      List<CompletableFuture<Void>> goodbyes = new ArrayList<>();
      for (SimulatedDevice d : devices.values()) {
        goodbyes.add(d.goodbye());
      }
      try {
        CompletableFuture.allOf(goodbyes.toArray(CompletableFuture[]::new))
            .get(GOODBYE_WAIT_MS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        LOG.debug("{}: not every device could say goodbye: {}", transport.clientId(), e.toString());
      }
    }
    transport.close();
  }
}
