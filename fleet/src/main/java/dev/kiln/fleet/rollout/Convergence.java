package dev.kiln.fleet.rollout;

import dev.kiln.link.protocol.Slot;
import java.util.List;
import java.util.Objects;

/**
 * Brings a returning device to what a finished deployment wants for it: the deployment's version
 * (it was offline during the rollout) or its previous one (it was offline during the rollback).
 */
final class Convergence {
  private Convergence() {}

  /**
   * A device came back online with {@code reported} in the deployment's slot: if a finished
   * deployment left it behind, returns the command that brings it to {@code desired}.
   */
  static List<Action> converge(
      Deployment d,
      String deviceId,
      String slot,
      String desired,
      String reported,
      String id,
      long now) {
    DeviceRollout row = d.device(deviceId);
    if (row == null
        || !d.state().terminal()
        || row.status().awaitingReply()
        || Objects.equals(desired, reported)) {
      return List.of();
    }
    if (desired != null && d.armVersions().contains(desired)) {
      d.update(row.sent(id, now, false), now);
      String variant = Slot.splitKey(slot)[1];
      return List.of(new Action.Deploy(deviceId, id, d.id(), variant));
    }
    // Back to the primary it had; the device drops the model's variants on a rollback, which is
    // also how a variant slot that should be empty gets emptied.
    d.update(row.sent(id, now, true), now);
    return List.of(new Action.Rollback(deviceId, id, d.id(), row.previousVersion()));
  }
}
