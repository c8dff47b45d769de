package dev.kiln.fleet.console;

import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.transport.MqttTransport;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the console's outgoing messages from one thread with a bound on QoS 1 publishes in
 * flight, below the broker's receive maximum (Mosquitto: 20), so a burst of chunks or commands
 * waits here instead of failing in the transport. A message lost to a disconnect is not retried
 * here: commands are re-sent after the reply timeout and devices re-request missing chunks.
 */
final class Sender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sender.class);
  static final int IN_FLIGHT = 16;
  private static final long STALL_SECONDS = 10;

  /** A message to publish. */
  record Message(String topic, byte[] payload, MessageProps props) {}

  /** A queued message; chunks are built (read from disk) only when their turn comes. */
  private record Outgoing(String key, int qos, Supplier<Message> message) {}

  private final MqttTransport transport;
  private final BlockingQueue<Outgoing> queue = new LinkedBlockingQueue<>();
  private final Semaphore permits = new Semaphore(IN_FLIGHT);
  private final Set<String> pendingKeys = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile boolean closed;

  Sender(MqttTransport transport, String name) {
    this.transport = transport;
    this.thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues a QoS 1 message. */
  void send(String topic, byte[] payload, MessageProps props) {
    Message m = new Message(topic, payload, props);
    queue.add(new Outgoing(null, 1, () -> m));
  }

  /**
   * Queues a message unless one with the same key is still queued, so a device that asks twice for
   * a chunk while the first copy waits here does not get it twice. Chunks go at QoS 0: a lost one
   * is simply asked for again, and QoS 0 needs no PUBACK round trip per 256 KiB.
   */
  boolean sendOnce(String key, Supplier<Message> message) {
    if (!pendingKeys.add(key)) {
      return false;
    }
    queue.add(new Outgoing(key, 0, message));
    return true;
  }

  private void loop() {
    while (!closed) {
      try {
        Outgoing o = queue.take();
        if (o.key() != null) {
          // Once handed on, a new request for the same chunk is a new need (the copy may be lost).
          pendingKeys.remove(o.key());
        }
        // A publish whose completion never comes must not stall every later message.
        boolean permit = permits.tryAcquire(STALL_SECONDS, TimeUnit.SECONDS);
        if (!permit) {
          LOG.warn(
              "{} publishes not completed for {} s; sending on without waiting",
              IN_FLIGHT,
              STALL_SECONDS);
        }
        Message m;
        try {
          m = o.message().get();
        } catch (RuntimeException e) {
          LOG.warn("cannot build message {}: {}", o.key(), e.getMessage());
          if (permit) {
            permits.release();
          }
          continue;
        }
        transport
            .publish(m.topic(), m.payload(), o.qos(), false, m.props())
            .whenComplete(
                (v, e) -> {
                  if (permit) {
                    permits.release();
                  }
                  if (e != null) {
                    LOG.debug("publish to {} failed: {}", m.topic(), e.toString());
                  }
                });
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
