package dev.kiln.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.cli.CliRun;
import dev.kiln.fleet.console.ArtifactRefs;
import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.rollout.AccuracyGate;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.Gates;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.link.protocol.DriftAlert;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accuracy gate over two real agents, a real Mosquitto and the fleet console. Both agents serve
 * the sample mlp version 1; a client sends inputs labelled with version 1's own classes, so every
 * version that computes what version 1 computes is right on all of them. Version 2 is the same
 * model: its canary passes the gate and it is promoted. Version 3 swaps classes 0 and 1, so it is
 * right only on the half of the inputs in class 2: its canary rolls back with both accuracies in
 * the reason. Version 4 is the same model again, deployed with the drift gate: a drift alert for it
 * rolls its canary back. Last, what the agents report per version (added up by the console from
 * their heartbeats) equals what the client counted itself from the labels it sent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetAccuracyGateIT {
  private static final Duration WAIT = Duration.ofSeconds(180);
  private static final int MIN_LABELLED = 100;

  /** Loose latency: this gate is about accuracy, and the machine is shared. */
  private static final GateConfig GATE =
      Gates.apply(
          new GateConfig(0.05, 50.0, 0.0, 1), List.of("accuracy:0.05:" + MIN_LABELLED + ":2m"));

  private static final List<String> DEVICES = List.of("acc-1", "acc-2");

  @TempDir static Path tmp;
  private static BanditFleet fleet;
  private static LabelledTraffic traffic;
  private static final AtomicBoolean running = new AtomicBoolean(true);
  private static Thread client;

  @BeforeAll
  static void fleet() throws Exception {
    fleet = BanditFleet.start(tmp, "accuracy-gate-console", "quality", DEVICES, WAIT);
    traffic = LabelledTraffic.labelledBy(fleet.setups().get(DEVICES.get(0)), 20);
    client = new Thread(() -> traffic.run(fleet.setups().values(), running), "labelled-traffic");
    client.setDaemon(true);
    client.start();
    // The old version needs its own labels before any gate can compare.
    await().atMost(WAIT).until(() -> traffic.labelled("1") >= 2 * MIN_LABELLED);
  }

  @AfterAll
  static void stop() throws Exception {
    running.set(false);
    if (client != null) {
      client.join(5000);
    }
    if (fleet != null) {
      fleet.close();
    }
  }

  private static DeploymentView deploy(Path artifact) throws Exception {
    String id =
        fleet
            .console()
            .deploy(
                ArtifactRefs.read(artifact), TargetSelector.group("quality"), "canary:50:5s", GATE);
    await().atMost(WAIT).until(() -> fleet.console().deployment(id).state().terminal());
    return fleet.console().deployment(id);
  }

  @Test
  @Order(1)
  void canaryWithEqualFieldAccuracy_passesTheGate_andIsPromoted() throws Exception {
    DeploymentView v = deploy(fleet.compile("2"));

    assertThat(v.state()).as(v.reason()).isEqualTo(DeploymentState.SUCCEEDED);
    String promotion =
        v.history().stream()
            .filter(s -> s.to() == DeploymentState.PROMOTED)
            .findFirst()
            .orElseThrow()
            .reason();
    assertThat(promotion)
        .contains("accuracy mlp@2 accuracy 1.000 over")
        .contains("vs mlp@1 accuracy 1.000 over")
        .contains("within margin 0.050");
    assertThat(v.accuracy().newLabelled()).isGreaterThanOrEqualTo(MIN_LABELLED);
    assertThat(v.accuracy().oldLabelled()).isGreaterThanOrEqualTo(MIN_LABELLED);
    System.out.println("accuracy gate IT, equal accuracy: " + promotion);
  }

  @Test
  @Order(2)
  void canaryWithWorseFieldAccuracy_rollsBack_withBothAccuraciesInItsReason() throws Exception {
    Path swapped = SwappedMlp.write(tmp.resolve("swapped").resolve("mlp-swapped.onnx"));
    DeploymentView v = deploy(fleet.compile("3", swapped));

    assertThat(v.state()).as(v.reason()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(v.reason())
        .contains("field accuracy of mlp@3")
        .contains("is below mlp@2's 1.000")
        .contains("(margin 0.050)");
    assertThat(v.accuracy().newAccuracy()).isBetween(0.3, 0.7);
    assertThat(v.accuracy().newLabelled()).isGreaterThanOrEqualTo(MIN_LABELLED);
    System.out.println("accuracy gate IT, worse accuracy: " + v.reason());

    await()
        .atMost(WAIT)
        .until(
            () ->
                DEVICES.stream().allMatch(d -> "2".equals(fleet.record(d).reported().get("mlp"))));
    CliRun status =
        CliRun.of("fleet", "status", v.id(), "--state-dir", fleet.consoleDir().toString());
    assertThat(status.out()).contains("accuracy: mlp@3 accuracy").contains("gates: ");
  }

  /**
   * The drift gate: the cloud's monitor publishes the documented alert message (docs/protocol.md,
   * "Drift alerts") for the canary's version while the canary bakes; the console hears it on {@code
   * kiln/v1/alerts/drift/mlp} and rolls the canary back, naming the violation. The version is as
   * accurate as the running one, so only the drift gate can stop it.
   */
  @Test
  @Order(3)
  void driftAlertForTheCanarysVersion_rollsItBack() throws Exception {
    GateConfig drift = Gates.apply(GATE, List.of("drift"));
    String id =
        fleet
            .console()
            .deploy(
                ArtifactRefs.read(fleet.compile("4")),
                TargetSelector.group("quality"),
                "canary:50:10m",
                drift);
    await()
        .atMost(WAIT)
        .until(() -> fleet.console().deployment(id).state() == DeploymentState.BAKING);
    DriftAlert alert =
        new DriftAlert(
            ProtocolJson.SCHEMA_VERSION,
            "drift",
            "mlp",
            "version",
            "4",
            null,
            System.currentTimeMillis() - 60_000,
            System.currentTimeMillis(),
            600,
            System.currentTimeMillis(),
            List.of(new DriftAlert.Violation("x[2]", "psi", 0.93, 0.2)));
    try (MqttTransport monitor =
        new MqttTransport(TransportConfig.builder(fleet.brokerUrl(), "drift-monitor").build())) {
      monitor.start();
      await().atMost(Duration.ofSeconds(30)).until(monitor::isConnected);
      monitor
          .publish(Topics.driftAlert("mlp"), alert.toJson(), 1, false, MessageProps.none())
          .get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    await().atMost(WAIT).until(() -> fleet.console().deployment(id).state().terminal());

    DeploymentView v = fleet.console().deployment(id);
    assertThat(v.state()).as(v.reason()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(v.reason()).contains("drift alert for mlp@4 (version): x[2] psi 0.930 > 0.2");
    assertThat(v.drift()).hasSize(1);
    System.out.println("accuracy gate IT, drift: " + v.reason());
  }

  @Test
  @Order(4)
  void accuracyPerVersion_reportedByTheAgents_matchesWhatTheClientCounted() throws Exception {
    running.set(false);
    client.join(10_000);
    Map<String, long[]> sent = traffic.tally();
    assertThat(sent).containsKeys("1", "2", "3", "4");

    // Heartbeats carry totals; once one after the last label has come, the sums must be equal.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (Map.Entry<String, long[]> e : sent.entrySet()) {
                long labelled = 0;
                long correct = 0;
                for (String d : DEVICES) {
                  DeviceRecord r = fleet.record(d);
                  labelled +=
                      Math.round(
                          r.metrics()
                              .getOrDefault(AccuracyGate.key("mlp", e.getKey(), "labelled"), 0.0));
                  correct +=
                      Math.round(
                          r.metrics()
                              .getOrDefault(AccuracyGate.key("mlp", e.getKey(), "correct"), 0.0));
                }
                assertThat(new long[] {labelled, correct})
                    .as("version %s: labelled, correct", e.getKey())
                    .containsExactly(e.getValue());
              }
            });
    long[] v1 = sent.get("1");
    long[] v3 = sent.get("3");
    assertThat(v1[1]).as("version 1 labelled its own classes").isEqualTo(v1[0]);
    assertThat(v3[1]).as("version 3 swapped classes 0 and 1").isLessThan(v3[0]);
    System.out.printf(
        "accuracy gate IT, client tally: v1 %d/%d, v2 %d/%d, v3 %d/%d%n",
        v1[1], v1[0], sent.get("2")[1], sent.get("2")[0], v3[1], v3[0]);
  }
}
