package dev.kiln.link.command;

import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.CommandReply;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.ReplyCode;
import dev.kiln.link.protocol.Topics;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes replies to one command on its MQTT 5 response topic (default {@link Topics#replies}),
 * echoing its correlation data. Replies are QoS 1 and sent only while connected: a reply that
 * cannot be sent completes its future exceptionally. The console re-sends a command it got no final
 * reply for under a new id and nonce, so a retry is never mistaken for a replay.
 */
public final class CommandResponder implements Replier {
  /** The part of the transport a responder needs. */
  @FunctionalInterface
  public interface Publisher {
    CompletableFuture<Void> publish(String topic, byte[] payload, MessageProps props);
  }

  private final String deviceId;
  private final Command command;
  private final String responseTopic;
  private final byte[] correlationData;
  private final Publisher publisher;

  public CommandResponder(
      String deviceId,
      Command command,
      String responseTopic,
      byte[] correlationData,
      Publisher publisher) {
    this.deviceId = deviceId;
    this.command = command;
    this.responseTopic = responseTopic == null ? Topics.replies(deviceId) : responseTopic;
    this.correlationData = correlationData;
    this.publisher = publisher;
  }

  @Override
  public CompletableFuture<Void> accept() {
    return reply(CommandReply.Status.ACCEPTED, null, null, null);
  }

  /** Progress of a long command, {@code percent} 0..100. */
  @Override
  public CompletableFuture<Void> progress(int percent, String message) {
    return reply(
        CommandReply.Status.IN_PROGRESS, null, Math.max(0, Math.min(100, percent)), message);
  }

  @Override
  public CompletableFuture<Void> succeeded(String message) {
    return reply(CommandReply.Status.SUCCEEDED, null, 100, message);
  }

  @Override
  public CompletableFuture<Void> succeeded(String message, Object result) {
    return reply(
        CommandReply.Status.SUCCEEDED,
        null,
        100,
        message,
        result == null ? null : ProtocolJson.tree(result));
  }

  /** Tried and failed; the device stays on what it ran before. */
  @Override
  public CompletableFuture<Void> failed(ReplyCode code, String message) {
    return reply(CommandReply.Status.FAILED, code, null, message);
  }

  /** Refused before any change. */
  @Override
  public CompletableFuture<Void> rejected(ReplyCode code, String message) {
    return reply(CommandReply.Status.REJECTED, code, null, message);
  }

  CompletableFuture<Void> expired() {
    return reply(
        CommandReply.Status.EXPIRED,
        ReplyCode.EXPIRED,
        null,
        "command expired before the device got it");
  }

  public String responseTopic() {
    return responseTopic;
  }

  private CompletableFuture<Void> reply(
      CommandReply.Status status, ReplyCode code, Integer progress, String msg) {
    return reply(status, code, progress, msg, null);
  }

  private CompletableFuture<Void> reply(
      CommandReply.Status status,
      ReplyCode code,
      Integer progress,
      String msg,
      com.fasterxml.jackson.databind.JsonNode result) {
    CommandReply r =
        new CommandReply(
            ProtocolJson.SCHEMA_VERSION,
            command.id(),
            deviceId,
            status,
            code == null ? null : code.name(),
            progress,
            msg,
            System.currentTimeMillis(),
            result);
    MessageProps props =
        new MessageProps("application/json", null, null, correlationData, java.util.Map.of());
    return publisher.publish(responseTopic, ProtocolJson.write(r), props);
  }
}
