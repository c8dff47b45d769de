package dev.kiln.fleet.rollout;

/**
 * One device's part in one deployment.
 *
 * @param commandId the last command sent for this device, to match replies
 * @param attempts deploy commands sent so far; resent with a new id when no reply comes
 * @param code the device's {@code ReplyCode} name for a refusal or failure, or {@code
 *     ROLLBACK_FAILED} when a rollback did not finish; null otherwise
 * @param previousVersion what the slot held before, so a rollback knows where to go; null if empty
 */
public record DeviceRollout(
    String deviceId,
    int phase,
    Status status,
    String commandId,
    int attempts,
    long sentAt,
    Integer progress,
    String message,
    String code,
    String previousVersion,
    long activatedAt) {

  /** A device's progress through one deployment. */
  public enum Status {
    PENDING,
    SENT,
    ACCEPTED,
    IN_PROGRESS,
    ACTIVE,
    FAILED,
    /** The device refused: incompatible, bad signature, or the like. Not an activation failure. */
    REFUSED,
    ROLLBACK_SENT,
    ROLLED_BACK,
    /** Never reached (cancelled or rolled back before its phase). */
    SKIPPED;

    /** The device has answered the deploy for good. */
    public boolean settled() {
      return this == ACTIVE || this == FAILED || this == REFUSED || this == SKIPPED;
    }

    public boolean awaitingReply() {
      return this == SENT || this == ACCEPTED || this == IN_PROGRESS || this == ROLLBACK_SENT;
    }
  }

  /**
   * Status, code and message in one line, for reasons and the CLI: {@code REFUSED
   * INCOMPATIBLE_ARTIFACT: artifact is for x86_64 but this device is arm64}.
   */
  public String describe() {
    StringBuilder s = new StringBuilder(status.name());
    if (code != null) {
      s.append(' ').append(code);
    }
    if (message != null) {
      s.append(": ").append(message);
    }
    return s.toString();
  }

  public static DeviceRollout pending(String deviceId, int phase, String previousVersion) {
    return new DeviceRollout(
        deviceId, phase, Status.PENDING, null, 0, 0, null, null, null, previousVersion, 0);
  }

  public DeviceRollout sent(String commandId, long now, boolean rollback) {
    return new DeviceRollout(
        deviceId,
        phase,
        rollback ? Status.ROLLBACK_SENT : Status.SENT,
        commandId,
        rollback ? attempts : attempts + 1,
        now,
        null,
        null,
        null,
        previousVersion,
        activatedAt);
  }

  public DeviceRollout with(Status s, Integer progress, String message, long now) {
    long activated = s == Status.ACTIVE ? now : activatedAt;
    return new DeviceRollout(
        deviceId,
        phase,
        s,
        commandId,
        attempts,
        sentAt,
        progress,
        message,
        null,
        previousVersion,
        activated);
  }
}
