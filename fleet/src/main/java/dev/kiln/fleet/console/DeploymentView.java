package dev.kiln.fleet.console;

import dev.kiln.fleet.rollout.AccuracyGate;
import dev.kiln.fleet.rollout.BanditVerdict;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.fleet.rollout.DriftGate;
import dev.kiln.fleet.rollout.Gates;
import java.util.List;
import java.util.Map;

/**
 * A read-only snapshot of a deployment for tables, JSON output and tests.
 *
 * @param gates the gates it is judged by, in the {@code --gate} form plus the health thresholds
 * @param accuracy the accuracy gate's latest figures; null when it has not judged
 * @param drift drift alerts the drift gate kept
 */
public record DeploymentView(
    String id,
    String artifact,
    String strategy,
    String targets,
    DeploymentState state,
    int phase,
    int phases,
    String reason,
    Map<DeviceRollout.Status, Integer> counts,
    List<DeviceRollout> devices,
    List<Deployment.Step> history,
    List<BanditVerdict.Snapshot> bandit,
    String gates,
    AccuracyGate.Figures accuracy,
    List<DriftGate.Finding> drift) {

  public static DeploymentView of(Deployment d) {
    return new DeploymentView(
        d.id(),
        d.artifact().label(),
        d.strategy().text(),
        d.targets().describe(),
        d.state(),
        d.phase(),
        d.phases().size(),
        d.reason(),
        d.counts(),
        List.copyOf(d.devices().values()),
        d.history(),
        d.bandit(),
        Gates.describe(d.gate()),
        d.accuracy(),
        d.drift());
  }

  public DeviceRollout device(String id) {
    return devices.stream().filter(r -> r.deviceId().equals(id)).findFirst().orElse(null);
  }
}
