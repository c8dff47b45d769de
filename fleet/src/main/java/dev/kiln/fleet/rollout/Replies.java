package dev.kiln.fleet.rollout;

import dev.kiln.fleet.rollout.DeviceRollout.Status;

/**
 * How a device's {@code CommandReply} moves its row. Only a reply to the row's latest command
 * counts: a late answer to a command that was since re-sent is ignored.
 */
final class Replies {
  private Replies() {}

  static boolean apply(
      Deployment d,
      String deviceId,
      String commandId,
      String status,
      Integer progress,
      String message,
      long now) {
    DeviceRollout row = d.device(deviceId);
    if (row == null || commandId == null || !commandId.equals(row.commandId())) {
      return false;
    }
    boolean rollback = row.status() == Status.ROLLBACK_SENT;
    Status next =
        switch (status) {
          case "ACCEPTED", "IN_PROGRESS" ->
              rollback
                  ? Status.ROLLBACK_SENT
                  : "ACCEPTED".equals(status) ? Status.ACCEPTED : Status.IN_PROGRESS;
          case "SUCCEEDED" -> rollback ? Status.ROLLED_BACK : Status.ACTIVE;
          case "FAILED" -> Status.FAILED;
          case "REJECTED" -> rollback ? Status.FAILED : Status.REFUSED;
          case "EXPIRED" -> rollback ? Status.ACTIVE : Status.PENDING;
          default -> row.status();
        };
    if (!row.status().awaitingReply()) {
      return false;
    }
    String msg = rollback && next == Status.FAILED ? "rollback failed: " + message : message;
    DeviceRollout updated =
        new DeviceRollout(
            deviceId,
            row.phase(),
            next,
            row.commandId(),
            row.attempts(),
            now,
            progress,
            msg,
            row.previousVersion(),
            next == Status.ACTIVE ? now : row.activatedAt());
    d.update(updated, now);
    return true;
  }
}
