package dev.kiln.link.command;

import dev.kiln.link.protocol.InboundMessage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs the agent's {@link CommandIntake} on one background thread: inbound command messages are
 * verified and handed to the handler there, in arrival order, so a long deploy delays later
 * commands but never the MQTT connection's ack.
 */
public final class CommandDispatcher implements AutoCloseable {
  private final CommandIntake intake;
  private final ExecutorService executor;
  private volatile CommandHandler handler;

  public CommandDispatcher(
      String deviceId, CommandVerifier verifier, CommandResponder.Publisher publisher) {
    this.intake = new CommandIntake(deviceId, verifier, publisher);
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
    return intake.rejected();
  }

  /** Called on the transport thread; only queues, so the ack is not held up. */
  public void dispatch(InboundMessage m) {
    executor.execute(() -> intake.take(m, handler));
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
