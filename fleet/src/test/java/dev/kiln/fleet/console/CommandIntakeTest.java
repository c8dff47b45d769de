package dev.kiln.fleet.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.link.command.CommandIntake;
import dev.kiln.link.command.CommandVerifier;
import dev.kiln.link.command.ReplayWindow;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.CommandReply;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.ReplyCode;
import dev.kiln.link.protocol.Topics;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one path every device (agent and simulator) takes from a command message to its handler: what
 * is answered, with which status and code, and what is never answered.
 */
class CommandIntakeTest {
  private final KeyPair console = Ed25519Keys.generate();
  private final CommandFactory factory = new CommandFactory(console, 60_000);
  private final List<CommandReply> replies = new ArrayList<>();
  private final List<String> handled = new ArrayList<>();
  @TempDir Path dir;

  private CommandIntake intake() {
    return new CommandIntake(
        "dev1",
        new CommandVerifier(
            "dev1",
            Map.of(Ed25519Keys.keyId(console.getPublic()), console.getPublic()),
            new ReplayWindow(dir.resolve("replay.json")),
            5_000,
            3_600_000),
        (topic, payload, props) -> {
          assertThat(topic).isEqualTo(Topics.replies("dev1"));
          replies.add(ProtocolJson.read(payload, CommandReply.class));
          return CompletableFuture.completedFuture(null);
        });
  }

  private static InboundMessage message(Command c) {
    return new InboundMessage(
        Topics.command("dev1", "deploy"), ProtocolJson.write(c), 1, false, MessageProps.none());
  }

  private Command deploy(String id, long issuedAt) {
    return factory.create(id, "deploy", "dev1", Map.of("version", "2"), issuedAt);
  }

  @Test
  void accepted_reachesTheHandler_withAResponderForItsId() {
    CommandIntake intake = intake();
    intake.take(
        message(deploy("c1", System.currentTimeMillis())),
        (cmd, r) -> {
          handled.add(cmd.id());
          r.succeeded("done");
        });
    assertThat(handled).containsExactly("c1");
    assertThat(replies)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.commandId()).isEqualTo("c1");
              assertThat(r.status()).isEqualTo(CommandReply.Status.SUCCEEDED);
            });
    assertThat(intake.rejected()).isZero();
  }

  @Test
  void expired_isAnsweredExpired_andNeverHandled() {
    CommandIntake intake = intake();
    long twoMinutesAgo = System.currentTimeMillis() - 120_000;
    intake.take(message(deploy("old", twoMinutesAgo)), (cmd, r) -> handled.add(cmd.id()));
    assertThat(handled).isEmpty();
    assertThat(replies)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.status()).isEqualTo(CommandReply.Status.EXPIRED);
              assertThat(r.code()).isEqualTo(ReplyCode.EXPIRED.name());
            });
    assertThat(intake.rejected()).isEqualTo(1);
  }

  @Test
  void forged_isRejectedWithTheVerifiersCode() {
    KeyPair stranger = Ed25519Keys.generate();
    Command forged =
        new CommandFactory(stranger, 60_000)
            .create("f1", "deploy", "dev1", Map.of("version", "2"), System.currentTimeMillis());
    CommandIntake intake = intake();
    intake.take(message(forged), (cmd, r) -> handled.add(cmd.id()));
    assertThat(handled).isEmpty();
    assertThat(replies)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.status()).isEqualTo(CommandReply.Status.REJECTED);
              assertThat(r.code()).isEqualTo(ReplyCode.UNTRUSTED_KEY.name());
            });
  }

  @Test
  void replay_getsNoAnswerAtAll() {
    CommandIntake intake = intake();
    InboundMessage once = message(deploy("c1", System.currentTimeMillis()));
    intake.take(once, (cmd, r) -> r.succeeded("done"));
    intake.take(once, (cmd, r) -> handled.add("again"));
    assertThat(handled).isEmpty();
    assertThat(replies).hasSize(1);
    assertThat(intake.rejected()).isEqualTo(1);
  }

  @Test
  void aCommandOnAnotherTypesTopic_isRejected_notRun() {
    Command rollback =
        factory.create(
            "r1", "rollback", "dev1", Map.of("model", "mlp"), System.currentTimeMillis());
    CommandIntake intake = intake();
    intake.take(message(rollback), (cmd, r) -> handled.add(cmd.id()));
    assertThat(handled).as("sent on the deploy topic").isEmpty();
    assertThat(replies)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.status()).isEqualTo(CommandReply.Status.REJECTED);
              assertThat(r.code()).isEqualTo(ReplyCode.INVALID_COMMAND.name());
            });
    assertThat(intake.rejected()).isEqualTo(1);
  }

  @Test
  void aThrowingHandler_isAnsweredFailed() {
    CommandIntake intake = intake();
    intake.take(
        message(deploy("c1", System.currentTimeMillis())),
        (cmd, r) -> {
          throw new IllegalStateException("disk full");
        });
    assertThat(replies)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.status()).isEqualTo(CommandReply.Status.FAILED);
              assertThat(r.code()).isEqualTo(ReplyCode.INTERNAL_ERROR.name());
              assertThat(r.message()).isEqualTo("disk full");
            });
  }
}
