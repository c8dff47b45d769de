package dev.kiln.link.command;

import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.ProtocolJson;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns inbound command messages into handler calls on one background thread. QoS 1 may deliver a
 * command twice; the last {@value #REMEMBERED} command ids are remembered and repeats ignored.
 * Expired commands are answered EXPIRED without calling the handler.
 */
public final class CommandDispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);
  static final int REMEMBERED = 256;

  private final String deviceId;
  private final CommandResponder.Publisher publisher;
  private final ExecutorService executor;
  private final Map<String, Boolean> seen =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
          return size() > REMEMBERED;
        }
      };
  private volatile CommandHandler handler;

  public CommandDispatcher(String deviceId, CommandResponder.Publisher publisher) {
    this.deviceId = deviceId;
    this.publisher = publisher;
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "kiln-commands");
              t.setDaemon(true);
              return t;
            });
  }

  public void setHandler(CommandHandler handler) {
    this.handler = handler;
  }

  /** Called on the transport thread; only parses and queues, so the ack is not held up. */
  public void dispatch(InboundMessage m) {
    Command cmd;
    try {
      cmd = ProtocolJson.read(m.payload(), Command.class);
    } catch (RuntimeException e) {
      LOG.warn("ignoring malformed command on {}: {}", m.topic(), e.getMessage());
      return;
    }
    synchronized (seen) {
      if (cmd.id() == null || seen.put(cmd.id(), Boolean.TRUE) != null) {
        return;
      }
    }
    CommandResponder r =
        new CommandResponder(
            deviceId, cmd, m.props().responseTopic(), m.props().correlationData(), publisher);
    executor.execute(() -> run(cmd, r));
  }

  private void run(Command cmd, CommandResponder r) {
    if (cmd.expired(System.currentTimeMillis())) {
      r.expired();
      return;
    }
    CommandHandler h = handler;
    if (h == null) {
      r.rejected("this device has no handler for commands");
      return;
    }
    try {
      h.handle(cmd, r);
    } catch (Exception e) {
      LOG.warn("command {} ({}) failed", cmd.id(), cmd.type(), e);
      r.failed(String.valueOf(e.getMessage()));
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
