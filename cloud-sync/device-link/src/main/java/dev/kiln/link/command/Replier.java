package dev.kiln.link.command;

import dev.kiln.link.protocol.ReplyCode;
import java.util.concurrent.CompletableFuture;

/**
 * Answers one command (docs/protocol.md, "Replies"): ACCEPTED or REJECTED first, then progress,
 * then SUCCEEDED or FAILED. {@link CommandResponder} sends them on the command's response topic; a
 * simulated device sends them over its shared connection.
 */
public interface Replier {
  CompletableFuture<Void> accept();

  /** Progress of a long command, {@code percent} 0..100. */
  CompletableFuture<Void> progress(int percent, String message);

  CompletableFuture<Void> succeeded(String message);

  /**
   * Succeeded with what the command measured or read ({@code CommandReply.result},
   * docs/protocol.md), for commands that answer with data, such as {@code benchmark}. A replier
   * that cannot carry data sends the message alone.
   */
  default CompletableFuture<Void> succeeded(String message, Object result) {
    return succeeded(message);
  }

  /** Tried and failed; the device stays on what it ran before. */
  CompletableFuture<Void> failed(ReplyCode code, String message);

  /** Refused before any change. */
  CompletableFuture<Void> rejected(ReplyCode code, String message);
}
