package dev.kiln.link.protocol;

/**
 * A device's answer to a command: first ACCEPTED or REJECTED/EXPIRED, then any number of
 * IN_PROGRESS with a percentage, then SUCCEEDED or FAILED.
 *
 * @param code why a REJECTED, EXPIRED or FAILED reply is so: a {@link ReplyCode} name (a string, so
 *     a newer device's code still reads); null on the others
 * @param message for people; the console never decides on it
 */
public record CommandReply(
    int schema,
    String commandId,
    String deviceId,
    Status status,
    String code,
    Integer progress,
    String message,
    long ts) {

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
