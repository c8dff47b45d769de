package dev.kiln.bench.fleet;

import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.TargetSelector;
import java.time.Duration;

/**
 * Follows the console through the benchmark's steps, polling it as {@code kiln fleet deploy --wait}
 * would, and notes the CPU the console, the simulator and the broker spend on each rollout: the
 * process that used the most is where a slow rollout is to be fixed.
 */
final class FleetWatch {
  private static final long POLL_MS = 100;

  private final FleetConsole console;
  private final SimulatorProcess simulator;
  private final long brokerPid;

  FleetWatch(FleetConsole console, SimulatorProcess simulator, long brokerPid) {
    this.console = console;
    this.simulator = simulator;
    this.brokerPid = brokerPid;
  }

  /** Seconds from {@code since} until the console sees {@code n} devices online with their info. */
  double awaitOnline(String group, int n, long since, Duration max) throws InterruptedException {
    long deadline = since + max.toNanos();
    long online = 0;
    while (System.nanoTime() < deadline && simulator.alive()) {
      online =
          console.devices().stream()
              .filter(r -> r.online() && r.profile() != null && r.groups().contains(group))
              .count();
      if (online == n) {
        return (System.nanoTime() - since) / 1e9;
      }
      Thread.sleep(POLL_MS);
    }
    throw new IllegalStateException(
        "the console saw "
            + online
            + " of "
            + n
            + " devices online within "
            + max
            + (simulator.alive() ? "" : "; the simulator exited (see simulator.log)"));
  }

  /** Deploys and waits for a terminal state, or {@code max}, then cancels what is left. */
  FleetRolloutBench.Rollout rollout(
      ArtifactRef artifact, TargetSelector targets, String strategy, Duration max)
      throws InterruptedException {
    ProcStats console0 = ProcStats.self();
    ProcStats sim0 = ProcStats.of(simulator.pid());
    ProcStats broker0 = ProcStats.of(brokerPid);
    long started = System.nanoTime();
    String id = console.deploy(artifact, targets, strategy, GateConfig.defaults());
    DeploymentView v = console.deployment(id);
    while (!v.state().terminal() && System.nanoTime() - started < max.toNanos()) {
      Thread.sleep(POLL_MS);
      v = console.deployment(id);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    String reason = v.state().terminal() ? v.reason() : "not finished: " + v.counts();
    if (!v.state().terminal()) {
      console.cancel(id);
    }
    return new FleetRolloutBench.Rollout(
        strategy,
        v.state(),
        reason,
        seconds,
        v.counts().getOrDefault(DeviceRollout.Status.ACTIVE, 0),
        ProcStats.self().cpuSeconds() - console0.cpuSeconds(),
        ProcStats.of(simulator.pid()).cpuSeconds() - sim0.cpuSeconds(),
        ProcStats.of(brokerPid).cpuSeconds() - broker0.cpuSeconds());
  }
}
