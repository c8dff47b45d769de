package dev.kiln.fleet.rollout;

import dev.kiln.fleet.rollout.DeviceRollout.Status;
import dev.kiln.link.protocol.CommandReply;
import dev.kiln.link.protocol.ReplyCode;

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
      CommandReply.Status status,
      String code,
      Integer progress,
      String message,
      long now) {
    DeviceRollout row = d.device(deviceId);
    if (row == null || status == null || commandId == null || !commandId.equals(row.commandId())) {
      return false;
    }
    boolean rollback = row.status() == Status.ROLLBACK_SENT;
    Status next =
        switch (status) {
          case ACCEPTED -> rollback ? Status.ROLLBACK_SENT : Status.ACCEPTED;
          case IN_PROGRESS -> rollback ? Status.ROLLBACK_SENT : Status.IN_PROGRESS;
          case SUCCEEDED -> rollback ? Status.ROLLED_BACK : Status.ACTIVE;
          case FAILED -> Status.FAILED;
          case REJECTED -> rollback ? Status.FAILED : Status.REFUSED;
          case EXPIRED -> rollback ? Status.ACTIVE : Status.PENDING;
        };
    if (!row.status().awaitingReply()) {
      return false;
    }
    // Whatever the device said, a rollback that did not finish is the console's ROLLBACK_FAILED:
    // that code, not the text, is what ends the deployment as FAILED.
    boolean rollbackFailed = rollback && next == Status.FAILED;
    String msg = rollbackFailed ? "rollback failed: " + message : message;
    String why = rollbackFailed ? ReplyCode.ROLLBACK_FAILED.name() : code;
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
            why,
            row.previousVersion(),
            next == Status.ACTIVE ? now : row.activatedAt());
    d.update(updated, now);
    return true;
  }
}
