package dev.kiln.fleet.simulate;

import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.transport.MqttTransport;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The QoS 1 publishes of every device on one shared connection, with at most {@link #IN_FLIGHT}
 * awaiting their PUBACK: Mosquitto lets a client have 20 in flight (its receive maximum) and the
 * transport refuses more than its own bound, while hundreds of devices publish a birth, an info and
 * a heartbeat in the same instant after a connect. The rest wait here, up to {@link #MAX_QUEUED}.
 * No thread of its own: each completion starts the next publish.
 *
 * <p>A message lost to a disconnect is not retried, as on a device's own connection: the console
 * re-sends unanswered commands, devices ask again for missing chunks and send the next heartbeat,
 * and births and infos go out again on the next connect.
 */
final class WindowedPublisher {
  static final int IN_FLIGHT = 16;
  static final int MAX_QUEUED = 100_000;

  private record Pending(
      String topic,
      byte[] payload,
      boolean retained,
      MessageProps props,
      CompletableFuture<Void> done) {}

  private final MqttTransport transport;
  private final Executor completions;
  private final Semaphore permits = new Semaphore(IN_FLIGHT);
  private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();

  /**
   * @param completions where a completed publish starts the next one; never the transport's own
   *     thread, so a run of publishes failing at once (while disconnected) cannot recurse
   */
  WindowedPublisher(MqttTransport transport, Executor completions) {
    this.transport = transport;
    this.completions = completions;
  }

  /** Queues a QoS 1 publish; the future completes on PUBACK and fails when it is lost. */
  CompletableFuture<Void> publish(
      String topic, byte[] payload, boolean retained, MessageProps props) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (queued.incrementAndGet() > MAX_QUEUED) {
      queued.decrementAndGet();
      done.completeExceptionally(
          new IllegalStateException(
              MAX_QUEUED + " publishes queued on " + transport.clientId() + "; dropping " + topic));
      return done;
    }
    queue.add(new Pending(topic, payload, retained, props, done));
    drain();
    return done;
  }

  /** Publishes waiting for a slot. */
  int queued() {
    return queued.get();
  }

  private void drain() {
    while (!queue.isEmpty() && permits.tryAcquire()) {
      Pending p = queue.poll();
      if (p == null) {
        permits.release();
        continue;
      }
      queued.decrementAndGet();
      try {
        transport
            .publish(p.topic(), p.payload(), 1, p.retained(), p.props())
            .whenCompleteAsync((v, e) -> completed(p, e), completions);
      } catch (RejectedExecutionException closing) {
        // The simulator is shutting down its threads: nothing queued will go out any more.
        permits.release();
        p.done().completeExceptionally(closing);
        return;
      }
    }
  }

  private void completed(Pending p, Throwable e) {
    permits.release();
    if (e == null) {
      p.done().complete(null);
    } else {
      p.done().completeExceptionally(e);
    }
    drain();
  }
}
