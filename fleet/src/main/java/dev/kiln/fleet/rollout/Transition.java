package dev.kiln.fleet.rollout;

import java.util.EnumSet;
import java.util.Set;

/** The named moves of the deployment state machine, each with the states it may start from. */
public enum Transition {
  START(DeploymentState.IN_PROGRESS, EnumSet.of(DeploymentState.NEW)),
  /** The next batch of a multi-phase plan begins. */
  NEXT_PHASE(
      DeploymentState.IN_PROGRESS, EnumSet.of(DeploymentState.IN_PROGRESS, DeploymentState.BAKING)),
  BEGIN_BAKE(DeploymentState.BAKING, EnumSet.of(DeploymentState.IN_PROGRESS)),
  PROMOTE(DeploymentState.PROMOTED, EnumSet.of(DeploymentState.BAKING)),
  /** The last phase landed and every target runs the new version. */
  COMPLETE(
      DeploymentState.SUCCEEDED,
      EnumSet.of(DeploymentState.IN_PROGRESS, DeploymentState.BAKING, DeploymentState.PROMOTED)),
  /** The last phase landed with some targets, not all, running the new version. */
  COMPLETE_PARTIALLY(
      DeploymentState.PARTIALLY_SUCCEEDED,
      EnumSet.of(DeploymentState.IN_PROGRESS, DeploymentState.BAKING, DeploymentState.PROMOTED)),
  /** The targets a partial rollout left behind have since taken the version (convergence). */
  CONVERGED(DeploymentState.SUCCEEDED, EnumSet.of(DeploymentState.PARTIALLY_SUCCEEDED)),
  GATE_FAILED(
      DeploymentState.ROLLING_BACK,
      EnumSet.of(DeploymentState.IN_PROGRESS, DeploymentState.BAKING, DeploymentState.PROMOTED)),
  /** Operator-requested; also allowed after (partial) success, to undo a finished rollout. */
  ROLLBACK(
      DeploymentState.ROLLING_BACK,
      EnumSet.of(
          DeploymentState.IN_PROGRESS,
          DeploymentState.BAKING,
          DeploymentState.PROMOTED,
          DeploymentState.SUCCEEDED,
          DeploymentState.PARTIALLY_SUCCEEDED)),
  ROLLBACK_DONE(DeploymentState.ROLLED_BACK, EnumSet.of(DeploymentState.ROLLING_BACK)),
  /** No device matched, none activated the version, or a rollback did not finish. */
  FAIL(
      DeploymentState.FAILED,
      EnumSet.of(
          DeploymentState.NEW,
          DeploymentState.IN_PROGRESS,
          DeploymentState.BAKING,
          DeploymentState.PROMOTED,
          DeploymentState.ROLLING_BACK)),
  CANCEL(
      DeploymentState.CANCELLED,
      EnumSet.of(
          DeploymentState.NEW,
          DeploymentState.IN_PROGRESS,
          DeploymentState.BAKING,
          DeploymentState.PROMOTED)),
  TIME_OUT(
      DeploymentState.TIMED_OUT,
      EnumSet.of(
          DeploymentState.NEW,
          DeploymentState.IN_PROGRESS,
          DeploymentState.BAKING,
          DeploymentState.PROMOTED,
          DeploymentState.ROLLING_BACK));

  private final DeploymentState to;
  private final Set<DeploymentState> from;

  Transition(DeploymentState to, Set<DeploymentState> from) {
    this.to = to;
    this.from = from;
  }

  public DeploymentState to() {
    return to;
  }

  public boolean allowedFrom(DeploymentState state) {
    return from.contains(state);
  }

  public Set<DeploymentState> from() {
    return from;
  }
}
