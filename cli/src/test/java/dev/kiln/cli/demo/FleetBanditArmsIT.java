package dev.kiln.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.cli.CliRun;
import dev.kiln.fleet.console.ArtifactRefs;
import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.rollout.BanditVerdict;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.TargetSelector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet {@code bandit:4} strategy over a real agent and a real broker: the agent runs {@code
 * mlp} version 1; one deployment brings versions 2, 3 and 4 as the second to fourth arms (variants
 * {@code b}, {@code c} and {@code d}, one deploy command each), so it covers both the extra-arm
 * slots and more arms than the first three. A client rewards each answer by {@code POST /feedback}:
 * version 4's with probability 0.9, version 3's with 0.5, version 2's with 0.3, version 1's with
 * 0.1. The console must promote version 4, the best of four, with P(best) >= 0.95 before the
 * 3-minute duration ends; the agent then serves version 4 alone, every arm slot emptied.
 */
class FleetBanditArmsIT {
  private static final Duration WAIT = Duration.ofSeconds(180);
  private static final GateConfig GATE = new GateConfig(0.05, 50.0, 0.0, 1);

  @TempDir static Path tmp;
  private static BanditFleet fleet;

  @BeforeAll
  static void fleet() throws Exception {
    fleet = BanditFleet.start(tmp, "fleet-bandit-arms-console", "arms", List.of("arms-1"), WAIT);
  }

  @AfterAll
  static void stop() throws Exception {
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void fourArmDeployment_promotesTheBestOfFour() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    // Answers per version (index = version), counted by the client.
    AtomicLongArray served = new AtomicLongArray(5);
    Thread client =
        new Thread(
            () ->
                BanditClient.rewardLoop(
                    fleet.setups().values(),
                    running,
                    served,
                    version ->
                        switch (version) {
                          case "4" -> 0.9;
                          case "3" -> 0.5;
                          case "2" -> 0.3;
                          default -> 0.1;
                        }),
            "bandit-client");
    client.setDaemon(true);
    client.start();
    try {
      // Traffic first, so the health gate's baseline has figures for the running version.
      await().atMost(WAIT).until(() -> served.get(1) > 50);
      String id =
          fleet
              .console()
              .deploy(
                  List.of(
                      ArtifactRefs.read(fleet.compile("2")),
                      ArtifactRefs.read(fleet.compile("3")),
                      ArtifactRefs.read(fleet.compile("4"))),
                  TargetSelector.group("arms"),
                  "bandit:4:3m",
                  GATE);
      await().atMost(WAIT).until(() -> fleet.console().deployment(id).state().terminal());
      DeploymentView v = fleet.console().deployment(id);
      assertThat(v.state()).as(v.reason()).isEqualTo(DeploymentState.SUCCEEDED);
      String promotion =
          v.history().stream()
              .filter(s -> s.to() == DeploymentState.PROMOTED)
              .findFirst()
              .orElseThrow()
              .reason();
      assertThat(promotion).contains("4 is best with P >= 0.95");
      BanditVerdict.Snapshot last = v.bandit().get(v.bandit().size() - 1);
      assertThat(last.decision()).isEqualTo(BanditVerdict.Decision.PROMOTE);
      assertThat(last.winner()).isEqualTo("4");
      assertThat(last.devices()).isEqualTo(1);
      assertThat(last.arms())
          .extracting(BanditVerdict.Arm::version)
          .containsExactly("1", "2", "3", "4");
      BanditVerdict.Arm old = last.arms().get(0);
      BanditVerdict.Arm better = last.arms().get(3);
      assertThat(better.estimatedReward()).isGreaterThan(last.arms().get(2).estimatedReward());
      assertThat(better.estimatedReward()).isGreaterThan(last.arms().get(1).estimatedReward());
      assertThat(better.probabilityBest()).isGreaterThanOrEqualTo(BanditVerdict.CONFIDENCE);
      assertThat(better.estimatedReward()).isGreaterThan(old.estimatedReward());
      assertThat(better.share()).isGreaterThan(old.share());
      assertThat(old.rewarded()).isGreaterThanOrEqualTo(BanditVerdict.MIN_REWARDS);
      System.out.printf(
          "fleet bandit arms IT: %s; client saw v1 %d, v2 %d, v3 %d, v4 %d answers%n",
          promotion, served.get(1), served.get(2), served.get(3), served.get(4));

      await()
          .atMost(WAIT)
          .until(
              () ->
                  fleet.setups().keySet().stream()
                      .allMatch(
                          d ->
                              "4".equals(fleet.record(d).reported().get("mlp"))
                                  && !fleet.record(d).reported().containsKey("mlp#b")
                                  && !fleet.record(d).reported().containsKey("mlp#c")
                                  && !fleet.record(d).reported().containsKey("mlp#d")));
      for (String device : fleet.setups().keySet()) {
        assertThat(BanditClient.version(fleet.invoke(device))).isEqualTo("4");
      }
      CliRun status =
          CliRun.of("fleet", "status", id, "--state-dir", fleet.consoleDir().toString());
      assertThat(status.out()).contains("EST. REWARD", "P(BEST)", "PROMOTE");
    } finally {
      running.set(false);
      client.join(5000);
    }
  }
}
