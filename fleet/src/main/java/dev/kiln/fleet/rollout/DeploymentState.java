package dev.kiln.fleet.rollout;

/**
 * Where a deployment stands. See docs/fleet.md for the diagram; {@link Transition} says which moves
 * are legal.
 */
public enum DeploymentState {
  /** Created and persisted; no command sent yet. */
  NEW,
  /** Sending the current phase's commands and waiting for the devices' answers. */
  IN_PROGRESS,
  /** A phase has landed; health gates watch it until the bake time is over. */
  BAKING,
  /** The canary passed its gates; the remaining devices are being updated. */
  PROMOTED,
  /** Every targeted device runs the new version. */
  SUCCEEDED,
  /**
   * The rollout ran to its end, but only some targets run the new version: the rest refused, failed
   * within the gate's allowance, or were offline. The reason names them and why; offline ones still
   * converge when they return, and once every target runs it, this becomes SUCCEEDED.
   */
  PARTIALLY_SUCCEEDED,
  /** Gates failed or an operator asked: devices are being sent back to their previous version. */
  ROLLING_BACK,
  ROLLED_BACK,
  /**
   * Nothing was achieved: no device activated the version (every one refused or failed), no device
   * matched the targets, or the rollback itself could not finish. The reason names the devices and
   * their codes.
   */
  FAILED,
  CANCELLED,
  /** Ran past its deadline; the reason says what it was waiting for. */
  TIMED_OUT;

  public boolean terminal() {
    return this == SUCCEEDED
        || this == PARTIALLY_SUCCEEDED
        || this == ROLLED_BACK
        || this == FAILED
        || this == CANCELLED
        || this == TIMED_OUT;
  }
}
