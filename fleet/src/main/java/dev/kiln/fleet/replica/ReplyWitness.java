package dev.kiln.fleet.replica;

import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.TopicKind;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Hears every device reply (a plain subscription: each replica gets its own copy) and keeps those
 * of the last {@link #WINDOW}. A leader acknowledges a reply to the broker when it queues it, so
 * one that dies before its next write loses replies for good; devices never answer a command twice
 * (a re-send under the same id is dropped as a replay). The replica that takes over hands these to
 * its console before anything else, so those rows move as if the old leader had written them.
 */
final class ReplyWitness implements AutoCloseable {
  /** Longer than a lease plus a renewal: the most a dead leader can have left unwritten. */
  static final Duration WINDOW = Duration.ofSeconds(60);

  private record Heard(long at, InboundMessage message) {}

  private final MqttTransport transport;
  private final Deque<Heard> heard = new ArrayDeque<>();

  ReplyWitness(TransportConfig link) {
    this.transport = new MqttTransport(link);
    transport.keepSubscribed(List.of(Topics.allDevices(TopicKind.REPLIES)), 1);
    transport.setMessageHandler(this::hear);
  }

  void start() {
    transport.start();
  }

  boolean subscribed() {
    return transport.subscribed();
  }

  private synchronized void hear(InboundMessage m) {
    long now = System.currentTimeMillis();
    heard.addLast(new Heard(now, m));
    prune(now);
  }

  /** The replies of the last {@link #WINDOW}, oldest first. */
  synchronized List<InboundMessage> recent() {
    prune(System.currentTimeMillis());
    List<InboundMessage> out = new ArrayList<>(heard.size());
    for (Heard h : heard) {
      out.add(h.message());
    }
    return out;
  }

  private void prune(long now) {
    while (!heard.isEmpty() && now - heard.peekFirst().at() > WINDOW.toMillis()) {
      heard.removeFirst();
    }
  }

  @Override
  public void close() {
    transport.close();
  }
}
