package dev.kiln.agent.fleet;

import dev.kiln.agent.bandit.Bandits;
import dev.kiln.agent.benchmark.ProductionGate;
import dev.kiln.agent.serving.ModelManager;
import dev.kiln.link.command.CommandHandler;
import dev.kiln.link.command.CommandResponder;
import dev.kiln.link.deploy.DeployCore;
import dev.kiln.link.deploy.LinkArtifactSource;
import dev.kiln.link.protocol.BenchmarkPayload;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.ServingConfigPayload;
import dev.kiln.link.transfer.ArtifactDownloads;
import dev.kiln.profile.DeviceProfile;
import java.time.Duration;

/**
 * The agent's side of a fleet rollout: device-link's {@link DeployCore} (check the target, download
 * over MQTT, install, health-check, put in its slot; and rollback) working on the agent's model
 * manager through {@link AgentSlots}. Commands reach here only after device-link verified their
 * signature, addressee, expiry and freshness, and run one at a time on its command thread.
 */
public final class FleetCommands implements CommandHandler {
  static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(10);

  /** Every 10%: enough for a progress bar, few enough for a fleet of thousands. */
  private static final int PROGRESS_STEP = 10;

  private final DeployCore core;
  private final FleetBenchmarks benchmarks;
  private final FleetServingConfig servingConfig;

  /**
   * @param onActivated run after a new version takes its slot, so the next heartbeat's health
   *     figures describe only traffic served since (what a canary's gate must judge)
   * @param production whether production requests are in flight, which a benchmark yields to
   */
  public FleetCommands(
      String deviceId,
      ModelManager models,
      Bandits bandits,
      DeviceProfile profile,
      ArtifactDownloads downloads,
      Runnable onActivated,
      ProductionGate production) {
    this.servingConfig = new FleetServingConfig(models);
    this.benchmarks =
        new FleetBenchmarks(
            deviceId, models, production, Runtime.getRuntime().availableProcessors());
    this.core =
        new DeployCore(
            profile,
            new AgentSlots(models, bandits),
            new LinkArtifactSource(downloads, DOWNLOAD_TIMEOUT),
            PROGRESS_STEP,
            new DeployCore.Events() {
              @Override
              public void activated() {
                onActivated.run();
              }
            });
  }

  @Override
  public void handle(Command command, CommandResponder reply) throws Exception {
    if (BenchmarkPayload.TYPE.equals(command.type())) {
      benchmarks.handle(command, reply);
      return;
    }
    if (ServingConfigPayload.TYPE.equals(command.type())) {
      servingConfig.handle(command, reply);
      return;
    }
    core.handle(command, reply);
  }
}
