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
  SUCCEEDED,
  /** Gates failed or an operator asked: devices are being sent back to their previous version. */
  ROLLING_BACK,
  ROLLED_BACK,
  /** The rollback itself could not finish; the reason says which devices are stranded. */
  FAILED,
  CANCELLED,
  /** Ran past its deadline; the reason says what it was waiting for. */
  TIMED_OUT;

  public boolean terminal() {
    return this == SUCCEEDED
        || this == ROLLED_BACK
        || this == FAILED
        || this == CANCELLED
        || this == TIMED_OUT;
  }
}
