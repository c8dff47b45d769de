package dev.kiln.fleet.state;

import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.TargetSelector;
import java.util.List;

/**
 * Something asked of the console by a process that does not run it (a {@code kiln fleet deploy}
 * beside console replicas): queued in the {@link FleetState}, carried out by the leader, and marked
 * done in the same batch that persists its effect, so a leader dying in between leaves it queued
 * for the next one and it is never carried out twice.
 *
 * @param id the request's id; for a deploy, also the new deployment's id
 * @param deploymentId the deployment a cancel or rollback concerns; for a deploy, equal to {@code
 *     id}
 */
public record ConsoleRequest(
    String id,
    Kind kind,
    String deploymentId,
    List<ArtifactRef> artifacts,
    TargetSelector targets,
    String strategy,
    GateConfig gate,
    long at) {

  /** What is asked. */
  public enum Kind {
    DEPLOY,
    CANCEL,
    ROLLBACK
  }

  public ConsoleRequest {
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
  }

  public static ConsoleRequest deploy(
      String deploymentId,
      List<ArtifactRef> artifacts,
      TargetSelector targets,
      String strategy,
      GateConfig gate,
      long now) {
    return new ConsoleRequest(
        deploymentId, Kind.DEPLOY, deploymentId, artifacts, targets, strategy, gate, now);
  }

  public static ConsoleRequest about(String id, Kind kind, String deploymentId, long now) {
    return new ConsoleRequest(id, kind, deploymentId, List.of(), null, null, null, now);
  }
}
