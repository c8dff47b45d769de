package dev.kiln.fleet.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.rollout.DeviceRollout.Status;
import dev.kiln.fleet.state.FleetStore;
import dev.kiln.link.protocol.CommandReply;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RolloutEngineTest {
  private static final ArtifactRef V2 =
      new ArtifactRef("mlp", "2", "abc", 10, "x86_64", "linux-x86_64", List.of(), "/a.kiln");

  private final AtomicInteger ids = new AtomicInteger();
  private final RolloutEngine engine =
      new RolloutEngine(new RolloutEngine.Settings(1_000, 2), () -> "c" + ids.incrementAndGet());
  private final FakeFleet fleet = new FakeFleet().devices(10, "1");
  private long now = 1_000_000;

  private Deployment deployment(String strategy) {
    for (String d : fleet.online.keySet()) {
      fleet.heartbeat(d, "1", 0.0, 10.0, now - 10);
    }
    return Deployment.create(
        "dep1",
        V2,
        TargetSelector.everyDevice(),
        Strategy.parse(strategy),
        GateConfig.defaults(),
        now,
        600_000);
  }

  /** Every device with a command outstanding answers {@code status}; healthy ones heartbeat. */
  private void answer(Deployment d, String status, double errorRate, double p95) {
    for (DeviceRollout r : List.copyOf(d.devices().values())) {
      if (r.status().awaitingReply()) {
        boolean rollback = r.status() == Status.ROLLBACK_SENT;
        engine.onReply(
            d,
            r.deviceId(),
            r.commandId(),
            CommandReply.Status.valueOf(status),
            null,
            null,
            "msg",
            now);
        if ("SUCCEEDED".equals(status)) {
          fleet.heartbeat(
              r.deviceId(), rollback ? r.previousVersion() : "2", errorRate, p95, now + 1);
        }
      }
    }
  }

  @Test
  void canary_promotes_whenGatesPassAfterBake_andEndsSucceeded() {
    Deployment d = deployment("canary:20:30s");
    List<Action> actions = engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.IN_PROGRESS);
    assertThat(actions).filteredOn(a -> a instanceof Action.Deploy).hasSize(2);
    answer(d, "SUCCEEDED", 0.0, 11.0);
    now += 10;
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.BAKING);
    now += 10_000;
    engine.step(d, fleet, now);
    assertThat(d.state()).as("bake not over yet").isEqualTo(DeploymentState.BAKING);
    now += 30_000;
    actions = engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.PROMOTED);
    assertThat(actions).filteredOn(a -> a instanceof Action.Deploy).hasSize(8);
    assertThat(actions)
        .as("the rest of the fleet is desired on the new version, for convergence")
        .filteredOn(a -> a instanceof Action.SetDesired)
        .hasSize(8)
        .allSatisfy(a -> assertThat(((Action.SetDesired) a).version()).isEqualTo("2"));
    answer(d, "SUCCEEDED", 0.0, 11.0);
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(d.history())
        .extracting(Deployment.Step::transition)
        .containsExactly(
            Transition.START, Transition.BEGIN_BAKE, Transition.PROMOTE, Transition.COMPLETE);
  }

  @Test
  void canary_rollsBack_whenErrorRateTooHigh_andDevicesReturnToPreviousVersion() {
    Deployment d = deployment("canary:20:30s");
    engine.step(d, fleet, now);
    answer(d, "SUCCEEDED", 0.4, 11.0);
    now += 10;
    List<Action> actions = engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.ROLLING_BACK);
    assertThat(d.reason()).contains("error rate 0.400");
    assertThat(actions)
        .filteredOn(a -> a instanceof Action.Rollback)
        .extracting(a -> ((Action.Rollback) a).version())
        .containsExactly("1", "1");
    assertThat(actions)
        .filteredOn(a -> a instanceof Action.SetDesired)
        .extracting(a -> ((Action.SetDesired) a).version())
        .containsOnly("1");
    answer(d, "SUCCEEDED", 0.0, 10.0);
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(d.reason()).contains("error rate");
    assertThat(d.counts()).containsEntry(Status.ROLLED_BACK, 2).containsEntry(Status.SKIPPED, 8);
  }

  @Test
  void canary_rollsBack_whenP95FarAboveBaseline() {
    Deployment d = deployment("canary:20:30s");
    engine.step(d, fleet, now);
    answer(d, "SUCCEEDED", 0.0, 40.0);
    engine.step(d, fleet, now + 5);
    assertThat(d.state()).isEqualTo(DeploymentState.ROLLING_BACK);
    assertThat(d.reason()).contains("p95 latency 40.0 ms").contains("10.0 ms");
  }

  @Test
  void phase_failsGate_whenADeviceFailsToActivate() {
    Deployment d = deployment("rolling:5");
    engine.step(d, fleet, now);
    DeviceRollout first = d.devices().get("d1");
    engine.onReply(
        d,
        "d1",
        first.commandId(),
        CommandReply.Status.FAILED,
        null,
        null,
        "model did not load",
        now);
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.ROLLING_BACK);
    assertThat(d.reason()).contains("1 of 5 devices failed to activate");
  }

  @Test
  void rollback_thatFailsOnADevice_endsTheDeploymentFailed_byItsCode() {
    Deployment d = deployment("rolling:5");
    engine.step(d, fleet, now);
    DeviceRollout first = d.devices().get("d1");
    engine.onReply(
        d,
        "d1",
        first.commandId(),
        CommandReply.Status.FAILED,
        "ACTIVATION_FAILED",
        null,
        "x",
        now);
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.ROLLING_BACK);
    answer(d, "FAILED", 0, 10);
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.reason()).contains("rollback did not finish on");
    assertThat(d.devices().values())
        .filteredOn(r -> "ROLLBACK_FAILED".equals(r.code()))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.message()).startsWith("rollback failed: "));
  }

  @Test
  void refusedDevice_showsReason_butDoesNotFailTheRollout_whichEndsPartial() {
    Deployment d = deployment("all-at-once");
    engine.step(d, fleet, now);
    engine.onReply(
        d,
        "d3",
        d.device("d3").commandId(),
        CommandReply.Status.REJECTED,
        null,
        null,
        "artifact is for x86_64 but this device is arm64",
        now);
    answer(d, "SUCCEEDED", 0, 10);
    engine.step(d, fleet, now);
    // Was SUCCEEDED: a rollout that one target refused is not a full success.
    assertThat(d.state()).isEqualTo(DeploymentState.PARTIALLY_SUCCEEDED);
    assertThat(d.history())
        .extracting(Deployment.Step::transition)
        .doesNotContain(Transition.GATE_FAILED);
    assertThat(d.reason())
        .contains("mlp@2 active on 9 of 10 devices")
        .contains("d3 REFUSED: artifact is for x86_64 but this device is arm64");
    assertThat(d.device("d3").status()).isEqualTo(Status.REFUSED);
    assertThat(d.device("d3").message()).contains("arm64");
  }

  @Test
  void offlineDevice_doesNotBlock_andConvergesAfterReturning() {
    fleet.online.put("d4", false);
    Deployment d = deployment("all-at-once");
    List<Action> actions = engine.step(d, fleet, now);
    assertThat(actions).filteredOn(a -> a instanceof Action.Deploy).hasSize(9);
    assertThat(actions).filteredOn(a -> a instanceof Action.SetDesired).hasSize(10);
    answer(d, "SUCCEEDED", 0, 10);
    engine.step(d, fleet, now);
    // Was SUCCEEDED: until d4 returns, 9 of 10 targets run the version.
    assertThat(d.state()).isEqualTo(DeploymentState.PARTIALLY_SUCCEEDED);
    assertThat(d.reason()).contains("d4 PENDING: offline; converges when it returns");
    assertThat(d.device("d4").status()).isEqualTo(Status.PENDING);

    fleet.online.put("d4", true);
    actions = engine.converge(d, "d4", "mlp", "2", "1", now);
    assertThat(actions).singleElement().isInstanceOf(Action.Deploy.class);
    engine.onReply(
        d, "d4", d.device("d4").commandId(), CommandReply.Status.SUCCEEDED, null, 100, null, now);
    assertThat(d.device("d4").status()).isEqualTo(Status.ACTIVE);
    assertThat(d.state()).as("the last straggler arrived").isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(d.history().get(d.history().size() - 1).transition())
        .isEqualTo(Transition.CONVERGED);
    assertThat(engine.converge(d, "d4", "mlp", "2", "2", now)).isEmpty();
  }

  @Test
  void everyTargetActive_endsSucceeded() {
    Deployment d = deployment("all-at-once");
    engine.step(d, fleet, now);
    answer(d, "SUCCEEDED", 0, 10);
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(d.reason()).isEqualTo("mlp@2 on {ACTIVE=10}");
  }

  @Test
  void everyDeviceRefused_endsFailed_namingEachDevicesCodeAndMessage() {
    Deployment d = deployment("all-at-once");
    engine.step(d, fleet, now);
    reply(
        d, "REJECTED", "INCOMPATIBLE_ARTIFACT", "artifact is for x86_64 but this device is arm64");
    List<Action> actions = engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.history().get(d.history().size() - 1).transition()).isEqualTo(Transition.FAIL);
    assertThat(d.reason())
        .startsWith("mlp@2 is active on none of 10 devices; not active: ")
        .contains("d1 REFUSED INCOMPATIBLE_ARTIFACT: artifact is for x86_64")
        .contains("d5 REFUSED INCOMPATIBLE_ARTIFACT")
        .doesNotContain("d6 ")
        .endsWith("; and 5 more");
    assertThat(d.devices().values())
        .allSatisfy(r -> assertThat(r.code()).isEqualTo("INCOMPATIBLE_ARTIFACT"));
    assertThat(actions)
        .as("nothing wants the version any more, so no device converges to it later")
        .filteredOn(a -> a instanceof Action.SetDesired)
        .hasSize(10)
        .allSatisfy(a -> assertThat(((Action.SetDesired) a).version()).isEqualTo("1"));
  }

  @Test
  void everyCanaryRefused_failsAtOnce_insteadOfBakingWithoutHeartbeats() {
    Deployment d = deployment("canary:20:30s");
    engine.step(d, fleet, now);
    reply(d, "REJECTED", "INCOMPATIBLE_ARTIFACT", "wrong arch");
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.reason())
        .contains("d1 REFUSED INCOMPATIBLE_ARTIFACT: wrong arch")
        .endsWith("; 8 in later phases not reached")
        .doesNotContain("offline");
    assertThat(d.counts())
        .as("the devices after the canary were never sent to, and never will be")
        .containsEntry(Status.REFUSED, 2)
        .containsEntry(Status.SKIPPED, 8);
  }

  @Test
  void nothingActivated_skipsOfflineDevices_soTheyDoNotConvergeToIt() {
    fleet.online.put("d4", false);
    Deployment d = deployment("all-at-once");
    engine.step(d, fleet, now);
    reply(d, "REJECTED", "INCOMPATIBLE_ARTIFACT", "wrong arch");
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.reason()).contains("d4 PENDING: offline");
    assertThat(d.device("d4").status()).isEqualTo(Status.SKIPPED);
    fleet.online.put("d4", true);
    assertThat(engine.converge(d, "d4", "mlp", "1", "1", now)).isEmpty();
  }

  @Test
  void everyDeviceFailed_rollsBack_namingEachDevicesCode() {
    Deployment d = deployment("all-at-once");
    engine.step(d, fleet, now);
    reply(d, "FAILED", "ACTIVATION_FAILED", "model did not load");
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(d.reason())
        .contains("10 of 10 devices failed to activate")
        .contains("d1 FAILED ACTIVATION_FAILED: model did not load");
  }

  @Test
  void everyDeviceFailed_underAGateThatAllowsFailures_endsFailed_notSucceeded() {
    Deployment d = tolerant("all-at-once", 1.0);
    engine.step(d, fleet, now);
    reply(d, "FAILED", "HEALTH_CHECK_FAILED", "health check failed");
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.reason())
        .contains("is active on none of 10 devices")
        .contains("d1 FAILED HEALTH_CHECK_FAILED: health check failed");
  }

  @Test
  void someActive_someRefused_someFailed_endsPartial_withCounts_andCanBeRolledBack() {
    Deployment d = tolerant("all-at-once", 0.5);
    engine.step(d, fleet, now);
    for (String id : List.of("d1", "d2", "d3")) {
      engine.onReply(
          d,
          id,
          d.device(id).commandId(),
          CommandReply.Status.REJECTED,
          "INCOMPATIBLE_ARTIFACT",
          null,
          "wrong arch",
          now);
    }
    for (String id : List.of("d4", "d5")) {
      engine.onReply(
          d,
          id,
          d.device(id).commandId(),
          CommandReply.Status.FAILED,
          "ACTIVATION_FAILED",
          null,
          "out of memory",
          now);
    }
    answer(d, "SUCCEEDED", 0, 10);
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.PARTIALLY_SUCCEEDED);
    assertThat(d.state().terminal()).isTrue();
    assertThat(d.history().get(d.history().size() - 1).transition())
        .isEqualTo(Transition.COMPLETE_PARTIALLY);
    assertThat(d.reason())
        .startsWith("mlp@2 active on 5 of 10 devices; not active: ")
        .contains("d1 REFUSED INCOMPATIBLE_ARTIFACT: wrong arch")
        .contains("d5 FAILED ACTIVATION_FAILED: out of memory");

    engine.rollback(d, now, "operator");
    assertThat(d.state()).isEqualTo(DeploymentState.ROLLING_BACK);
    assertThat(engine.step(d, fleet, now)).filteredOn(a -> a instanceof Action.Rollback).hasSize(5);
  }

  /** Every device with a command outstanding answers {@code status} with {@code code}. */
  private void reply(Deployment d, String status, String code, String message) {
    for (DeviceRollout r : List.copyOf(d.devices().values())) {
      if (r.status().awaitingReply()) {
        engine.onReply(
            d,
            r.deviceId(),
            r.commandId(),
            CommandReply.Status.valueOf(status),
            code,
            null,
            message,
            now);
      }
    }
  }

  private Deployment tolerant(String strategy, double maxActivationFailureRate) {
    Deployment plain = deployment(strategy);
    return Deployment.create(
        plain.id(),
        V2,
        TargetSelector.everyDevice(),
        Strategy.parse(strategy),
        new GateConfig(0.05, 1.5, maxActivationFailureRate, 1),
        now,
        600_000);
  }

  @Test
  void rolloutThatReachedNoDevice_waits_andTimesOutInsteadOfSucceeding() {
    fleet.online.replaceAll((k, v) -> false);
    Deployment d = deployment("all-at-once");
    assertThat(engine.step(d, fleet, now)).allMatch(a -> a instanceof Action.SetDesired);
    assertThat(d.state()).isEqualTo(DeploymentState.IN_PROGRESS);
    engine.step(d, fleet, now + 600_001);
    assertThat(d.state()).isEqualTo(DeploymentState.TIMED_OUT);
    assertThat(d.reason()).contains("d1 (PENDING, offline)").contains("10 devices");
  }

  @Test
  void silentDevice_isResentWithANewId_thenFailed_andStaleRepliesAreIgnored() {
    Deployment d = deployment("all-at-once");
    engine.step(d, fleet, now);
    String firstId = d.device("d1").commandId();
    answerAllBut(d, "d1");
    now += 1_001;
    engine.step(d, fleet, now);
    String secondId = d.device("d1").commandId();
    assertThat(secondId).isNotEqualTo(firstId);
    assertThat(
            engine.onReply(d, "d1", firstId, CommandReply.Status.SUCCEEDED, null, 100, null, now))
        .isFalse();
    now += 1_001;
    engine.step(d, fleet, now);
    assertThat(d.device("d1").status()).isEqualTo(Status.FAILED);
    assertThat(d.device("d1").message()).contains("no reply after 2 attempts");
    assertThat(d.state()).isEqualTo(DeploymentState.ROLLING_BACK);
  }

  private void answerAllBut(Deployment d, String silent) {
    for (DeviceRollout r : List.copyOf(d.devices().values())) {
      if (!r.deviceId().equals(silent) && r.status().awaitingReply()) {
        engine.onReply(
            d, r.deviceId(), r.commandId(), CommandReply.Status.SUCCEEDED, null, 100, null, now);
      }
    }
  }

  @Test
  void stuckDeployment_timesOut_namingWhatItWaitedFor() {
    fleet.online.replaceAll((k, v) -> false);
    fleet.online.put("d1", true);
    Deployment d =
        Deployment.create(
            "dep1",
            V2,
            TargetSelector.devices(List.of("d1")),
            Strategy.parse("canary:50:1s"),
            GateConfig.defaults(),
            now,
            5_000);
    engine.step(d, fleet, now);
    engine.onReply(
        d, "d1", d.device("d1").commandId(), CommandReply.Status.SUCCEEDED, null, 100, null, now);
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.BAKING);
    engine.step(d, fleet, now + 6_000);
    assertThat(d.state()).isEqualTo(DeploymentState.TIMED_OUT);
    assertThat(d.reason()).contains("baking canary without a passing health gate");
  }

  @Test
  void cancel_skipsPendingDevices_andResetsTheirDesiredVersion() {
    Deployment d = deployment("rolling:4");
    engine.step(d, fleet, now);
    List<Action> actions = engine.cancel(d, now, "operator");
    assertThat(d.state()).isEqualTo(DeploymentState.CANCELLED);
    assertThat(d.counts()).containsEntry(Status.SKIPPED, 6);
    assertThat(actions)
        .hasSize(6)
        .allSatisfy(a -> assertThat(((Action.SetDesired) a).version()).isEqualTo("1"));
    assertThat(engine.step(d, fleet, now + 1)).isEmpty();
  }

  @Test
  void blueGreen_emptiesTheGreenSlot_whenItSwitches() {
    Deployment d = deployment("blue-green");
    List<Action> staged = engine.step(d, fleet, now);
    assertThat(staged)
        .filteredOn(a -> a instanceof Action.SetDesired)
        .extracting(a -> ((Action.SetDesired) a).slot())
        .containsOnly("mlp#green");
    answer(d, "SUCCEEDED", 0, 10);
    List<Action> switched = engine.step(d, fleet, now);
    assertThat(switched)
        .filteredOn(a -> a instanceof Action.SetDesired s && s.deviceId().equals("d1"))
        .extracting(a -> ((Action.SetDesired) a).slot() + "=" + ((Action.SetDesired) a).version())
        .containsExactly("mlp=2", "mlp#green=null");
    assertThat(switched).filteredOn(a -> a instanceof Action.Deploy).hasSize(10);
  }

  @Test
  void shadowRollback_restoresThePrimary_andEmptiesTheShadowSlot() {
    Deployment d = deployment("shadow");
    engine.step(d, fleet, now);
    answer(d, "SUCCEEDED", 0, 10);
    engine.rollback(d, now, "operator");
    List<Action> actions = engine.step(d, fleet, now);
    assertThat(actions)
        .filteredOn(a -> a instanceof Action.SetDesired s && s.deviceId().equals("d1"))
        .extracting(a -> ((Action.SetDesired) a).slot() + "=" + ((Action.SetDesired) a).version())
        .containsExactly("mlp=1", "mlp#shadow=null");
    assertThat(actions)
        .filteredOn(a -> a instanceof Action.Rollback)
        .extracting(a -> ((Action.Rollback) a).version())
        .containsOnly("1");
  }

  @Test
  void transitions_refuseIllegalMoves_namingAllowedStates() {
    Deployment d = deployment("all-at-once");
    assertThatThrownBy(() -> d.apply(Transition.PROMOTE, now, "x"))
        .isInstanceOf(FleetException.class)
        .satisfies(
            e ->
                assertThat(((FleetException) e).code())
                    .isEqualTo(FleetErrorCode.ILLEGAL_TRANSITION))
        .hasMessageContaining("is NEW")
        .hasMessageContaining("BAKING");
  }

  @Test
  void manualRollback_afterSuccess_returnsDevicesToPrevious() {
    Deployment d = deployment("all-at-once");
    engine.step(d, fleet, now);
    answer(d, "SUCCEEDED", 0, 10);
    engine.step(d, fleet, now);
    engine.rollback(d, now, "operator asked");
    List<Action> actions = engine.step(d, fleet, now);
    assertThat(actions).filteredOn(a -> a instanceof Action.Rollback).hasSize(10);
    answer(d, "SUCCEEDED", 0, 10);
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.ROLLED_BACK);
  }

  @Test
  void restartedConsole_resumesMidRolloutFromDisk(@TempDir Path dir) {
    Deployment d = deployment("canary:20:30s");
    engine.step(d, fleet, now);
    answer(d, "SUCCEEDED", 0.0, 11.0);
    engine.step(d, fleet, now + 10);
    assertThat(d.state()).isEqualTo(DeploymentState.BAKING);
    new FleetStore(dir).save(d);

    Deployment loaded = new FleetStore(dir).loadDeployments().get(0);
    assertThat(loaded.state()).isEqualTo(DeploymentState.BAKING);
    assertThat(loaded.strategy()).isEqualTo(d.strategy());
    assertThat(loaded.devices()).isEqualTo(d.devices());
    List<Action> actions = engine.step(loaded, fleet, now + 40_000);
    assertThat(loaded.state()).isEqualTo(DeploymentState.PROMOTED);
    assertThat(actions).filteredOn(a -> a instanceof Action.Deploy).hasSize(8);
  }
}
