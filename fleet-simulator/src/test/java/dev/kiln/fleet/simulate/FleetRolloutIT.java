package dev.kiln.fleet.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Console and simulated devices through a real Mosquitto. */
class FleetRolloutIT extends FleetITBase {
  private static ArtifactRef v2;
  private static ArtifactRef v3;
  private static ArtifactRef v2Arm;
  private final List<SimulatedDevice> devices = new ArrayList<>();

  @BeforeAll
  static void artifacts() throws Exception {
    v2 = bed.artifact("2", "linux-x86_64", "x86_64", 700_000);
    v3 = bed.artifact("3", "linux-x86_64", "x86_64", 300_000);
    v2Arm = bed.artifact("2", "linux-arm64", "arm64", 1000);
  }

  @AfterEach
  void stopDevices() {
    devices.forEach(SimulatedDevice::close);
  }

  private SimulatedDevice device(String id, String profile, SimBehavior behavior) {
    SimulatedDevice d =
        new SimulatedDevice(
            new SimConfig(
                group + "-" + id,
                bed.brokerUrl(),
                profile,
                List.of(group),
                dir.resolve(id),
                bed.trustedConsoleKeys(),
                bed.trustedArtifactKeys(),
                Map.of("mlp", "1"),
                behavior,
                Duration.ofMillis(300)));
    devices.add(d);
    d.start();
    return d;
  }

  private void fleetOf(int n, SimBehavior behavior) {
    for (int i = 1; i <= n; i++) {
      device("d" + i, "linux-x86_64", behavior);
    }
    awaitOnline(n);
  }

  private void awaitOnline(int n) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                console.devices().stream()
                        // Heartbeat heard too: a deployment records each target's current
                        // version from it, the version a rollback returns to.
                        .filter(
                            r ->
                                r.online()
                                    && r.groups().contains(group)
                                    && r.profile() != null
                                    && r.metricsAt() > 0)
                        .count()
                    == n);
  }

  private DeploymentView awaitState(String id, DeploymentState state) {
    await().atMost(WAIT).until(() -> console.deployment(id).state().terminal());
    DeploymentView v = console.deployment(id);
    assertThat(v.state()).as(v.reason()).isEqualTo(state);
    return v;
  }

  @Test
  void canaryOfAGoodVersion_promotes_andEveryDeviceRunsIt() {
    fleetOf(5, SimBehavior.healthy());
    String id =
        console.deploy(v2, TargetSelector.group(group), "canary:20:1s", GateConfig.defaults());
    DeploymentView v = awaitState(id, DeploymentState.SUCCEEDED);
    assertThat(v.history())
        .extracting(s -> s.to())
        .contains(DeploymentState.BAKING, DeploymentState.PROMOTED);
    assertThat(devices).allSatisfy(d -> assertThat(d.activeVersion("mlp")).isEqualTo("2"));
  }

  @Test
  void canaryOfAFailingVersion_rollsBack_andTheFleetEndsOnTheOldVersion() {
    fleetOf(4, new SimBehavior(Set.of(), Set.of("3"), Set.of()));
    String id =
        console.deploy(v3, TargetSelector.group(group), "canary:25:1s", GateConfig.defaults());
    DeploymentView v = awaitState(id, DeploymentState.ROLLED_BACK);
    assertThat(v.reason()).contains("error rate");
    assertThat(devices).allSatisfy(d -> assertThat(d.activeVersion("mlp")).isEqualTo("1"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                console.devices().stream()
                    .filter(r -> r.groups().contains(group))
                    .allMatch(r -> "1".equals(r.reported().get("mlp"))));
  }

  @Test
  void canaryOfASlowVersion_rollsBackOnP95Latency() {
    fleetOf(4, new SimBehavior(Set.of(), Set.of(), Set.of("3")));
    String id =
        console.deploy(v3, TargetSelector.group(group), "canary:25:1s", GateConfig.defaults());
    DeploymentView v = awaitState(id, DeploymentState.ROLLED_BACK);
    assertThat(v.reason()).contains("p95 latency 40.0 ms").contains("10.0 ms");
    assertThat(devices).allSatisfy(d -> assertThat(d.activeVersion("mlp")).isEqualTo("1"));
  }

  @Test
  void activationFailureInABatch_rollsBackThatBatch_andSkipsTheRest() {
    fleetOf(4, new SimBehavior(Set.of("3"), Set.of(), Set.of()));
    String id = console.deploy(v3, TargetSelector.group(group), "rolling:2", GateConfig.defaults());
    DeploymentView v = awaitState(id, DeploymentState.ROLLED_BACK);
    assertThat(v.reason()).contains("failed to activate");
    assertThat(v.counts()).containsEntry(DeviceRollout.Status.SKIPPED, 2);
    assertThat(v.devices())
        .filteredOn(r -> r.phase() == 0)
        .allSatisfy(
            r ->
                assertThat(r.status())
                    .isIn(DeviceRollout.Status.ROLLED_BACK, DeviceRollout.Status.FAILED));
    assertThat(devices).allSatisfy(d -> assertThat(d.activeVersion("mlp")).isEqualTo("1"));
  }

  @Test
  void wrongArchDevice_refuses_andTheConsoleShowsWhy() {
    device("x86", "linux-x86_64", SimBehavior.healthy());
    SimulatedDevice pi = device("pi", "rpi5", SimBehavior.healthy());
    awaitOnline(2);
    String id =
        console.deploy(v2, TargetSelector.group(group), "all-at-once", GateConfig.defaults());
    // Was SUCCEEDED: one of the two targets refused, so the rollout is partial.
    DeploymentView v = awaitState(id, DeploymentState.PARTIALLY_SUCCEEDED);
    DeviceRollout row = v.device(pi.id());
    assertThat(row.status()).isEqualTo(DeviceRollout.Status.REFUSED);
    assertThat(row.message()).contains("x86_64").contains("arm64");
    assertThat(row.code()).isEqualTo("INCOMPATIBLE_ARTIFACT");
    assertThat(v.reason())
        .contains("active on 1 of 2 devices")
        .contains(pi.id() + " REFUSED INCOMPATIBLE_ARTIFACT");
    assertThat(pi.activeVersion("mlp")).isEqualTo("1");

    String armId =
        console.deploy(
            v2Arm, TargetSelector.devices(List.of(pi.id())), "all-at-once", GateConfig.defaults());
    awaitState(armId, DeploymentState.SUCCEEDED);
    assertThat(pi.activeVersion("mlp"))
        .as("a refused device does not block the next deployment")
        .isEqualTo("2");
  }

  @Test
  void offlineDevice_convergesAfterItReconnects() {
    fleetOf(2, SimBehavior.healthy());
    SimulatedDevice away = device("away", "linux-x86_64", SimBehavior.healthy());
    awaitOnline(3);
    away.close();
    devices.remove(away);
    awaitOnline(2);
    String id =
        console.deploy(v2, TargetSelector.group(group), "all-at-once", GateConfig.defaults());
    // Was SUCCEEDED: until the offline device returns, 2 of 3 targets run the version.
    DeploymentView v = awaitState(id, DeploymentState.PARTIALLY_SUCCEEDED);
    assertThat(v.device(away.id()).status()).isEqualTo(DeviceRollout.Status.PENDING);

    SimulatedDevice back = device("away", "linux-x86_64", SimBehavior.healthy());
    await().atMost(WAIT).until(() -> "2".equals(back.activeVersion("mlp")));
    await()
        .atMost(WAIT)
        .until(
            () -> console.deployment(id).device(back.id()).status() == DeviceRollout.Status.ACTIVE);
    assertThat(console.deployment(id).state())
        .as("the straggler arrived, so every target runs it")
        .isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void everyDeviceRefusing_endsFailed_withEachDevicesCode() {
    device("pi1", "rpi5", SimBehavior.healthy());
    device("pi2", "rpi5", SimBehavior.healthy());
    awaitOnline(2);
    String id =
        console.deploy(v2, TargetSelector.group(group), "all-at-once", GateConfig.defaults());
    DeploymentView v = awaitState(id, DeploymentState.FAILED);
    assertThat(v.reason()).contains("is active on none of 2 devices");
    assertThat(v.devices())
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.code()).isEqualTo("INCOMPATIBLE_ARTIFACT"));
    assertThat(devices).allSatisfy(d -> assertThat(d.activeVersion("mlp")).isEqualTo("1"));
  }

  @Test
  void restartedConsole_resumesARolloutMidBake() {
    fleetOf(3, SimBehavior.healthy());
    String id =
        console.deploy(v2, TargetSelector.group(group), "canary:34:3s", GateConfig.defaults());
    await().atMost(WAIT).until(() -> console.deployment(id).state() == DeploymentState.BAKING);
    console.close();

    console = new FleetConsole(consoleConfig);
    assertThat(console.deployment(id).state())
        .as("state read back from disk")
        .isEqualTo(DeploymentState.BAKING);
    console.start();
    DeploymentView v = awaitState(id, DeploymentState.SUCCEEDED);
    assertThat(v.history())
        .extracting(s -> s.transition().name())
        .containsExactly("START", "BEGIN_BAKE", "PROMOTE", "COMPLETE");
    assertThat(devices).allSatisfy(d -> assertThat(d.activeVersion("mlp")).isEqualTo("2"));
  }

  @Test
  void blueGreen_stagesThenSwitchesEveryDevice() {
    fleetOf(3, SimBehavior.healthy());
    String id =
        console.deploy(v2, TargetSelector.group(group), "blue-green", GateConfig.defaults());
    DeploymentView v = awaitState(id, DeploymentState.SUCCEEDED);
    assertThat(v.history())
        .extracting(s -> s.transition().name())
        .containsExactly("START", "NEXT_PHASE", "COMPLETE");
    assertThat(devices)
        .allSatisfy(
            d -> {
              assertThat(d.activeVersion("mlp")).isEqualTo("2");
              assertThat(d.activeVersion("mlp#green")).isNull();
            });
  }

  @Test
  void forgedAndReplayedCommands_areRejected() throws Exception {
    SimulatedDevice target = device("t", "linux-x86_64", SimBehavior.healthy());
    awaitOnline(1);
    KeyPair attacker = Ed25519Keys.generate();
    byte[] forged = signedDeploy(attacker, target, "forged-1", v2);
    byte[] genuine = signedRollback(target, "real-1", "1");
    List<String> replies = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (MqttTransport raw =
        new MqttTransport(TransportConfig.builder(bed.brokerUrl(), group + "-attacker").build())) {
      raw.setMessageHandler(m -> replies.add(new String(m.payload())));
      raw.keepSubscribed(List.of(Topics.replies(target.id())), 1);
      raw.start();
      await().atMost(WAIT).until(raw::subscribed);
      raw.publish(Topics.command(target.id(), "deploy"), forged, 1, false, MessageProps.none())
          .get();
      await().atMost(WAIT).until(() -> target.rejectedCommands() == 1);
      await().atMost(WAIT).until(() -> replies.stream().anyMatch(r -> r.contains("UNTRUSTED_KEY")));
      raw.publish(Topics.command(target.id(), "rollback"), genuine, 1, false, MessageProps.none())
          .get();
      await().atMost(WAIT).until(() -> replies.stream().anyMatch(r -> r.contains("SUCCEEDED")));
      raw.publish(Topics.command(target.id(), "rollback"), genuine, 1, false, MessageProps.none())
          .get();
      await().atMost(WAIT).until(() -> target.rejectedCommands() == 2);
      // Replies go out in order: once the next command's reply is here, a reply to the replay
      // would have been too.
      byte[] next = signedRollback(target, "real-2", "1");
      raw.publish(Topics.command(target.id(), "rollback"), next, 1, false, MessageProps.none())
          .get();
      await().atMost(WAIT).until(() -> replies.stream().anyMatch(r -> r.contains("real-2")));
    }
    assertThat(replies)
        .filteredOn(r -> r.contains("real-1"))
        .as("the replay got no answer")
        .hasSize(1);
    assertThat(target.activeVersion("mlp")).isEqualTo("1");
  }
}
