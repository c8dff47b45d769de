package dev.kiln.fleet.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.rollout.DeviceRollout.Status;
import dev.kiln.fleet.state.FleetStore;
import dev.kiln.link.protocol.CommandReply;
import dev.kiln.link.protocol.DriftAlert;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The accuracy and drift gates, driven through the engine over an in-memory fleet. */
class QualityGatesTest {
  private static final ArtifactRef V2 =
      new ArtifactRef("mlp", "2", "abc", 10, "x86_64", "linux-x86_64", List.of(), "/a.kiln");

  private final AtomicInteger ids = new AtomicInteger();
  private final RolloutEngine engine =
      new RolloutEngine(new RolloutEngine.Settings(1_000, 2), () -> "c" + ids.incrementAndGet());
  private final FakeFleet fleet = new FakeFleet().devices(10, "1");
  private long now = 1_000_000;

  private Deployment deployment(String... gates) {
    for (String d : fleet.online.keySet()) {
      fleet.heartbeat(d, "1", 0.0, 10.0, now - 10);
    }
    return Deployment.create(
        "dep1",
        V2,
        TargetSelector.everyDevice(),
        Strategy.parse("canary:20:30s"),
        Gates.apply(GateConfig.defaults(), List.of(gates)),
        now,
        3_600_000);
  }

  /** Adds a device's field scores for a version to its latest heartbeat. */
  private void scores(String device, String version, long labelled, long correct) {
    Map<String, Double> m = new HashMap<>(fleet.metrics(device));
    m.put(AccuracyGate.key("mlp", version, "labelled"), (double) labelled);
    m.put(AccuracyGate.key("mlp", version, "correct"), (double) correct);
    fleet.metrics.put(device, m);
  }

  /** Starts the canary (d1, d2), which activates 2, and enters the bake. */
  private void bakeCanary(Deployment d) {
    engine.step(d, fleet, now);
    for (DeviceRollout r : d.currentPhaseDevices()) {
      engine.onReply(
          d, r.deviceId(), r.commandId(), CommandReply.Status.SUCCEEDED, null, null, "ok", now);
      fleet.heartbeat(r.deviceId(), "2", 0.0, 10.0, now + 1);
    }
    now += 10;
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.BAKING);
  }

  /** Devices still on 1 score 0.95 over 100 labels each; the canary devices did too before. */
  private void oldVersionScores() {
    for (String d : fleet.online.keySet()) {
      scores(d, "1", 100, 95);
    }
  }

  @Test
  void canaryWithWorseFieldAccuracy_rollsBack_withBothAccuraciesInTheReason() {
    Deployment d = deployment("accuracy:0.02:200");
    bakeCanary(d);
    oldVersionScores();
    scores("d1", "2", 150, 60);
    scores("d2", "2", 150, 60);

    now += 10;
    engine.step(d, fleet, now);

    assertThat(d.state()).isEqualTo(DeploymentState.ROLLING_BACK);
    assertThat(d.reason())
        .contains("field accuracy of mlp@2 0.400 is below mlp@1's 0.950 by 0.550 (margin 0.020)")
        .contains("300 labelled on 2 devices")
        .contains("1000 labelled on 10 devices");
    assertThat(d.accuracy().newAccuracy()).isEqualTo(0.4);
    assertThat(d.accuracy().oldAccuracy()).isEqualTo(0.95);
    assertThat(d.accuracy().newLabelled()).isEqualTo(300);
    assertThat(d.accuracy().oldLabelled()).isEqualTo(1000);
  }

  @Test
  void canaryWithinTheMargin_promotesAfterTheBake_andKeepsItsFigures() {
    Deployment d = deployment("accuracy:0.02:200");
    bakeCanary(d);
    oldVersionScores();
    scores("d1", "2", 150, 141);
    scores("d2", "2", 150, 141);

    now += 10;
    engine.step(d, fleet, now);
    assertThat(d.state()).as("the bake is not over").isEqualTo(DeploymentState.BAKING);
    now += 30_000;
    engine.step(d, fleet, now);

    assertThat(d.state()).isEqualTo(DeploymentState.PROMOTED);
    assertThat(d.history().get(d.history().size() - 1).reason())
        .contains("accuracy mlp@2 accuracy 0.940 over 300 labelled")
        .contains("within margin 0.020");
    assertThat(d.accuracy().newAccuracy()).isEqualTo(0.94);
  }

  @Test
  void tooFewLabels_waitPastTheBake_thenFailNamingTheMissingSamples() {
    Deployment d = deployment("accuracy:0.02:200:1m");
    bakeCanary(d);
    oldVersionScores();
    scores("d1", "2", 10, 10);

    now += 40_000;
    engine.step(d, fleet, now);
    assertThat(d.state()).as("waiting for labels").isEqualTo(DeploymentState.BAKING);

    now += 60_000;
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.ROLLING_BACK);
    assertThat(d.reason())
        .contains("too few labelled samples: mlp@2 has 10 of 200 labelled on updated devices")
        .contains("after waiting 1m past the bake");
  }

  @Test
  void oldVersionWithoutLabels_keepsTheGateWaiting_ratherThanJudgeAgainstNothing() {
    Deployment d = deployment("accuracy:0.02:10");
    bakeCanary(d);
    scores("d1", "2", 20, 5);

    now += 40_000;
    engine.step(d, fleet, now);
    assertThat(d.state())
        .as("the old version has no labels at all: the gate waits for them")
        .isEqualTo(DeploymentState.BAKING);
    assertThat(d.accuracy().oldLabelled()).isZero();
  }

  private static DriftAlert alert(String scope, String version, String device, long windowEnd) {
    return new DriftAlert(
        1,
        "drift",
        "mlp",
        scope,
        version,
        device,
        windowEnd - 600_000,
        windowEnd,
        800,
        windowEnd + 5,
        List.of(new DriftAlert.Violation("x[2]", "psi", 0.93, 0.2)));
  }

  @Test
  void driftAlertForTheNewVersion_duringTheCanary_rollsBack_namingTheViolation() {
    Deployment d = deployment("drift");
    bakeCanary(d);
    assertThat(DriftGate.offer(d, alert("fleet", null, null, now), now))
        .as("a fleet alert spans versions")
        .isFalse();
    assertThat(DriftGate.offer(d, alert("version", "1", null, now), now))
        .as("the old version drifting says nothing of the new one")
        .isFalse();
    assertThat(DriftGate.offer(d, alert("device", "2", "elsewhere", now), now))
        .as("a device this deployment does not target")
        .isFalse();
    assertThat(DriftGate.offer(d, alert("version", "2", null, d.createdAt() - 1), now))
        .as("a window that ended before the deployment began")
        .isFalse();
    engine.step(d, fleet, now + 5);
    assertThat(d.state()).isEqualTo(DeploymentState.BAKING);

    assertThat(DriftGate.offer(d, alert("device", "2", "d1", now), now)).isTrue();
    engine.step(d, fleet, now + 10);

    assertThat(d.state()).isEqualTo(DeploymentState.ROLLING_BACK);
    assertThat(d.reason()).contains("drift alert for mlp@2 on d1: x[2] psi 0.930 > 0.2");
  }

  @Test
  void driftAlert_isIgnored_withoutTheDriftGate() {
    Deployment d = deployment();
    bakeCanary(d);
    assertThat(DriftGate.offer(d, alert("version", "2", null, now), now)).isFalse();
    assertThat(d.drift()).isEmpty();
  }

  @Test
  void gates_andTheirFigures_surviveAConsoleRestart(@TempDir Path dir) {
    Deployment d = deployment("accuracy:0.05:50:10s", "drift");
    bakeCanary(d);
    oldVersionScores();
    scores("d1", "2", 10, 10);
    DriftGate.offer(d, alert("version", "2", null, now), now);
    engine.step(d, fleet, now);
    new FleetStore(dir).save(d);

    Deployment loaded = new FleetStore(dir).loadDeployments().get(0);

    assertThat(loaded.gate()).isEqualTo(d.gate());
    assertThat(loaded.gate().accuracy()).isEqualTo(new AccuracyGate.Config(0.05, 50, 10_000));
    assertThat(loaded.gate().drift()).isTrue();
    assertThat(loaded.drift()).isEqualTo(d.drift()).hasSize(1);
    assertThat(loaded.accuracy()).isEqualTo(d.accuracy()).isNotNull();
    assertThat(loaded.devices().get("d1").status()).isIn(Status.ACTIVE, Status.ROLLBACK_SENT);
  }

  @Test
  void gateForms_parse_withDocumentedDefaults_andABadOneNamesTheAllowedForms() {
    GateConfig g = Gates.apply(GateConfig.defaults(), List.of("accuracy:0.02"));
    assertThat(g.accuracy())
        .isEqualTo(
            new AccuracyGate.Config(
                0.02, AccuracyGate.DEFAULT_MIN_LABELLED, AccuracyGate.DEFAULT_WAIT_MS));
    assertThat(g.drift()).isFalse();
    assertThat(Gates.apply(g, List.of("DRIFT")).drift()).isTrue();
    assertThat(Gates.describe(Gates.apply(g, List.of("drift"))))
        .isEqualTo("error-rate<=0.05 p95-ratio<=1.5 accuracy:0.02:200:30m drift");

    assertThatThrownBy(() -> Gates.apply(g, List.of("accuracy:2")))
        .isInstanceOf(FleetException.class)
        .hasMessageContaining("MARGIN must be 0..1");
    assertThatThrownBy(() -> Gates.apply(g, List.of("latency")))
        .isInstanceOf(FleetException.class)
        .hasMessageContaining("accuracy:MARGIN[:MIN_LABELLED[:WAIT]]")
        .satisfies(
            e -> assertThat(((FleetException) e).code()).isEqualTo(FleetErrorCode.CONFIG_INVALID));
  }
}
