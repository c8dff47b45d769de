package dev.kiln.link.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A device's answer to a command: first ACCEPTED or REJECTED/EXPIRED, then any number of
 * IN_PROGRESS with a percentage, then SUCCEEDED or FAILED.
 *
 * @param code why a REJECTED, EXPIRED or FAILED reply is so: a {@link ReplyCode} name (a string, so
 *     a newer device's code still reads); null on the others
 * @param message for people; the console never decides on it
 * @param result what a command that measures or reads something found, on its SUCCEEDED reply (a
 *     {@code benchmark}'s {@link BenchmarkReport}); null on every other reply. Older readers ignore
 *     it
 */
public record CommandReply(
    int schema,
    String commandId,
    String deviceId,
    Status status,
    String code,
    Integer progress,
    String message,
    long ts,
    JsonNode result) {

  /** The canonical constructor, named for JSON: the other one is for replies without a result. */
  @JsonCreator
  public CommandReply {}

  /** A reply without a result: every reply but a measuring command's SUCCEEDED. */
  public CommandReply(
      int schema,
      String commandId,
      String deviceId,
      Status status,
      String code,
      Integer progress,
      String message,
      long ts) {
    this(schema, commandId, deviceId, status, code, progress, message, ts, null);
  }

  /** Where a command stands; the last three are final. */
  public enum Status {
    ACCEPTED,
    IN_PROGRESS,
    REJECTED,
    EXPIRED,
    SUCCEEDED,
    FAILED
  }
}
