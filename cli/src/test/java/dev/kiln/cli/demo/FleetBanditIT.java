package dev.kiln.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.cli.CliRun;
import dev.kiln.fleet.console.ArtifactRefs;
import dev.kiln.fleet.console.ConsoleConfig;
import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.BanditVerdict;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.RolloutEngine;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.testkit.Mosquitto;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet {@code bandit} strategy over two real agents and a real broker: both run {@code mlp}
 * version 1; the console deploys version 2 as the second bandit arm. A client sends requests to
 * both agents and rewards each answer (version 2's with probability 0.9, version 1's with 0.2) by
 * {@code POST /feedback}. The console adds the agents' posteriors from their heartbeats and must
 * promote version 2 fleet-wide, with P(best) >= 0.95, before the 3-minute duration ends.
 */
class FleetBanditIT {
  private static final Duration WAIT = Duration.ofSeconds(180);
  private static final GateConfig GATE = new GateConfig(0.05, 50.0, 0.0, 1);

  @TempDir static Path tmp;
  private static Mosquitto broker;
  private static FleetConsole console;
  private static final Map<String, DemoAgent.Setup> setups = new LinkedHashMap<>();
  private static final Map<String, DemoAgent> agents = new LinkedHashMap<>();
  private static Path artifactKey;
  private static Path consolePub;

  @BeforeAll
  static void fleet() throws Exception {
    Mosquitto.requireInstalled();
    artifactKey = DemoKeys.generate(tmp.resolve("keys"));
    KeyPair consoleKey = Ed25519Keys.generate();
    consolePub = tmp.resolve("console-keys").resolve("console.pub");
    Files.createDirectories(consolePub.getParent());
    Ed25519Keys.writePair(consoleKey, consolePub.resolveSibling("console.key"), consolePub);
    Path v1 = compile("1");
    broker = Mosquitto.start(tmp.resolve("mosquitto"));
    console =
        new FleetConsole(
            ConsoleConfig.defaults(broker.url(), tmp.resolve("console"), consoleKey)
                .withTimeouts(Duration.ofMinutes(5), new RolloutEngine.Settings(30_000, 3))
                .withClientId("fleet-bandit-console"));
    console.start();
    for (String id : List.of("arm-1", "arm-2")) {
      setups.put(
          id,
          DemoAgent.configure(
              tmp.resolve("agents").resolve(id),
              new DemoAgent.Device(
                  id,
                  null,
                  List.of("bandit"),
                  List.of(v1),
                  List.of(artifactKey.resolveSibling("kiln.pub"), consolePub),
                  "mlp",
                  broker.url(),
                  1)));
      agents.put(id, DemoAgent.launch(setups.get(id)));
    }
    for (DemoAgent a : agents.values()) {
      a.awaitHealthy(WAIT);
    }
    await()
        .atMost(WAIT)
        .until(
            () ->
                setups.keySet().stream()
                    .allMatch(
                        id -> {
                          DeviceRecord r = record(id);
                          return r != null && r.online() && r.metricsAt() > 0;
                        }));
  }

  @AfterAll
  static void stop() throws Exception {
    for (DemoAgent a : agents.values()) {
      a.close();
    }
    if (console != null) {
      console.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void banditDeployment_promotesTheBetterVersionFleetWide() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    // Answers per version (index = version), counted by the client.
    AtomicLongArray served = new AtomicLongArray(3);
    Thread client =
        new Thread(
            () ->
                BanditClient.rewardLoop(
                    setups.values(), running, served, version -> "2".equals(version) ? 0.9 : 0.2),
            "bandit-client");
    client.setDaemon(true);
    client.start();
    try {
      // Traffic first, so the health gate's baseline has figures for the running version.
      await().atMost(WAIT).until(() -> served.get(1) > 50);
      String id =
          console.deploy(
              ArtifactRefs.read(compile("2")), TargetSelector.group("bandit"), "bandit:2:3m", GATE);
      await().atMost(WAIT).until(() -> console.deployment(id).state().terminal());
      DeploymentView v = console.deployment(id);
      assertThat(v.state()).as(v.reason()).isEqualTo(DeploymentState.SUCCEEDED);
      String promotion =
          v.history().stream()
              .filter(s -> s.to() == DeploymentState.PROMOTED)
              .findFirst()
              .orElseThrow()
              .reason();
      assertThat(promotion).contains("2 is best with P >= 0.95");
      BanditVerdict.Snapshot last = v.bandit().get(v.bandit().size() - 1);
      assertThat(last.decision()).isEqualTo(BanditVerdict.Decision.PROMOTE);
      assertThat(last.devices()).isEqualTo(2);
      BanditVerdict.Arm old = last.arms().get(0);
      BanditVerdict.Arm better = last.arms().get(1);
      assertThat(better.version()).isEqualTo("2");
      assertThat(better.probabilityBest()).isGreaterThanOrEqualTo(BanditVerdict.CONFIDENCE);
      assertThat(better.estimatedReward()).isGreaterThan(old.estimatedReward());
      assertThat(better.share()).isGreaterThan(old.share());
      assertThat(old.rewarded()).isGreaterThanOrEqualTo(BanditVerdict.MIN_REWARDS);
      System.out.printf(
          "fleet bandit IT: %s; client saw v1 %d, v2 %d answers%n",
          promotion, served.get(1), served.get(2));

      await()
          .atMost(WAIT)
          .until(
              () ->
                  setups.keySet().stream()
                      .allMatch(
                          d ->
                              "2".equals(record(d).reported().get("mlp"))
                                  && !record(d).reported().containsKey("mlp#b")));
      for (String device : setups.keySet()) {
        assertThat(BanditClient.version(invoke(device))).isEqualTo("2");
      }
      CliRun status =
          CliRun.of("fleet", "status", id, "--state-dir", tmp.resolve("console").toString());
      assertThat(status.out()).contains("EST. REWARD", "P(BEST)", "PROMOTE");
    } finally {
      running.set(false);
      client.join(5000);
    }
  }

  private static DeviceRecord record(String id) {
    return console.devices().stream().filter(r -> r.deviceId().equals(id)).findFirst().orElse(null);
  }

  private static Path compile(String version) {
    return BanditClient.compileMlp(tmp.resolve("artifacts"), version, artifactKey);
  }

  private static HttpResponse<String> invoke(String device) throws Exception {
    return BanditClient.invoke(setups.get(device));
  }
}
