package dev.kiln.link.command;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.ReplyCode;
import dev.kiln.link.protocol.Topic;
import dev.kiln.link.protocol.TopicKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command message from arrival to its handler, the same on every device: verify it; answer a
 * refusal REJECTED or EXPIRED without calling the handler, as well as a command whose type is not
 * the one its topic names; give a replay (or a QoS 1 duplicate, which looks the same) no answer at
 * all, since the original is already being answered under that id; hand an accepted command to the
 * handler with a responder; turn a handler's exception into FAILED. Callers choose the thread: the
 * agent's {@link CommandDispatcher} runs it on its command thread, the fleet simulator on each
 * device's serial executor. Not thread-safe: one caller thread at a time, in arrival order, so a
 * duplicate is always checked after its original.
 */
public final class CommandIntake {
  private static final Logger LOG = LoggerFactory.getLogger(CommandIntake.class);

  private final String deviceId;
  private final CommandVerifier verifier;
  private final CommandResponder.Publisher publisher;
  private volatile int rejected;

  public CommandIntake(
      String deviceId, CommandVerifier verifier, CommandResponder.Publisher publisher) {
    this.deviceId = deviceId;
    this.verifier = verifier;
    this.publisher = publisher;
  }

  /** Commands refused so far (forged, expired, replayed...), for tests and status. */
  public int rejected() {
    return rejected;
  }

  /** Verifies {@code m} and answers it, through {@code handler} when accepted (null: none). */
  public void take(InboundMessage m, CommandHandler handler) {
    CommandVerifier.Verdict v = verifier.verify(m.payload(), System.currentTimeMillis());
    Command cmd = v.command();
    if (!v.accepted()) {
      rejected++;
      LOG.info("{} refused a command on {}: {}", deviceId, m.topic(), v.reason());
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
    String topicType =
        Topic.parse(m.topic())
            .filter(t -> t.kind() == TopicKind.COMMANDS)
            .map(Topic::detail)
            .orElse(null);
    if (!cmd.type().equals(topicType)) {
      // The topic is what a broker ACL can restrict; a body that claims another type must not
      // get past it (a signed rollback sent on the deploy topic is refused, not run).
      rejected++;
      r.rejected(
          ReplyCode.INVALID_COMMAND,
          "a '" + cmd.type() + "' command arrived on " + m.topic() + ", which is for another type");
      return;
    }
    if (handler == null) {
      r.rejected(ReplyCode.UNKNOWN_COMMAND, "this device has no handler for commands");
      return;
    }
    try {
      handler.handle(cmd, r);
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
}
