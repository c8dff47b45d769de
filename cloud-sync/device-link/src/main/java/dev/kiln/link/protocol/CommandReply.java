package dev.kiln.link.protocol;

/**
 * A device's answer to a command: first ACCEPTED or REJECTED/EXPIRED, then any number of
 * IN_PROGRESS with a percentage, then SUCCEEDED or FAILED.
 */
public record CommandReply(
    int schema,
    String commandId,
    String deviceId,
    Status status,
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
