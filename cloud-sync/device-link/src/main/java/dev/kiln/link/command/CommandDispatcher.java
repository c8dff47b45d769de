package dev.kiln.link.command;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.ReplyCode;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns inbound command messages into handler calls on one background thread, after the {@link
 * CommandVerifier} accepted them: unsigned, forged, misaddressed or expired commands are answered
 * REJECTED or EXPIRED without calling the handler. A replay (and a QoS 1 duplicate, which looks the
 * same) gets no answer at all: the original is already being answered under that id.
 */
public final class CommandDispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);

  private final String deviceId;
  private final CommandVerifier verifier;
  private final CommandResponder.Publisher publisher;
  private final ExecutorService executor;
  private volatile CommandHandler handler;
  private volatile int rejected;

  public CommandDispatcher(
      String deviceId, CommandVerifier verifier, CommandResponder.Publisher publisher) {
    this.deviceId = deviceId;
    this.verifier = verifier;
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

  /** Commands refused so far (forged, expired, replayed...), for tests and status. */
  public int rejected() {
    return rejected;
  }

  /**
   * Called on the transport thread; only queues, so the ack is not held up. Verification runs on
   * the command thread, in arrival order, so a duplicate is always checked after its original.
   */
  public void dispatch(InboundMessage m) {
    executor.execute(() -> run(m));
  }

  private void run(InboundMessage m) {
    CommandVerifier.Verdict v = verifier.verify(m.payload(), System.currentTimeMillis());
    Command cmd = v.command();
    if (!v.accepted()) {
      rejected++;
      LOG.warn("refused a command on {}: {}", m.topic(), v.reason());
      if (v.rejection() == CommandVerifier.Rejection.REPLAYED || cmd == null || cmd.id() == null) {
        return;
      }
      CommandResponder r = responder(cmd, m);
      if (v.rejection() == CommandVerifier.Rejection.EXPIRED) {
        r.expired();
      } else {
        r.rejected(v.rejection().code(), v.reason());
      }
      return;
    }
    CommandResponder r = responder(cmd, m);
    CommandHandler h = handler;
    if (h == null) {
      r.rejected(ReplyCode.UNKNOWN_COMMAND, "this device has no handler for commands");
      return;
    }
    try {
      h.handle(cmd, r);
    } catch (Exception e) {
      LOG.warn("command {} ({}) failed", cmd.id(), cmd.type(), e);
      r.failed(failureCode(e), String.valueOf(e.getMessage()));
    }
  }

  /** A transfer that gave up is a failed download; anything else is the handler's own fault. */
  private static ReplyCode failureCode(Exception e) {
    return e instanceof LinkException le && le.code() == LinkErrorCode.TRANSFER_FAILED
        ? ReplyCode.DOWNLOAD_FAILED
        : ReplyCode.INTERNAL_ERROR;
  }

  private CommandResponder responder(Command cmd, InboundMessage m) {
    return new CommandResponder(
        deviceId, cmd, m.props().responseTopic(), m.props().correlationData(), publisher);
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
