package dev.kiln.fleet.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.TopicKind;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Many simulated devices on a few shared MQTT connections, against a console and Mosquitto. */
class MultiplexedFleetIT extends FleetITBase {
  private static ArtifactRef v2;
  private static ArtifactRef v3;
  private FleetSimulator sim;

  @BeforeAll
  static void artifacts() throws Exception {
    v2 = bed.artifact("2", "linux-x86_64", "x86_64", 100_000);
    v3 = bed.artifact("3", "linux-x86_64", "x86_64", 2_000);
  }

  @AfterEach
  void stopDevices() {
    if (sim != null) {
      sim.close();
    }
  }

  private void simulate(int devices, int perConnection) {
    sim =
        FleetSimulator.start(
            new FleetSimulator.Spec(
                bed.brokerUrl(),
                group,
                devices,
                "linux-x86_64",
                List.of(group),
                dir.resolve("devices"),
                bed.trustedConsoleKeys(),
                bed.trustedArtifactKeys(),
                Map.of("mlp", "1"),
                SimBehavior.healthy(),
                Duration.ofMillis(300),
                perConnection,
                2));
  }

  private void awaitDevices(int n, Predicate<DeviceRecord> state) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                console.devices().stream()
                        .filter(r -> r.groups().contains(group) && state.test(r))
                        .count()
                    == n);
  }

  private static boolean onlineWithInfo(DeviceRecord r) {
    return r.online() && r.profile() != null;
  }

  private DeploymentView awaitSucceeded(String id) {
    await().atMost(WAIT).until(() -> console.deployment(id).state().terminal());
    DeploymentView v = console.deployment(id);
    assertThat(v.state()).as(v.reason()).isEqualTo(DeploymentState.SUCCEEDED);
    return v;
  }

  @Test
  void fiftyDevicesOnTwoConnections_comeOnline_andTakeAnAllAtOnceThenACanary() {
    simulate(50, 25);
    assertThat(sim.connections()).isEqualTo(2);
    awaitDevices(50, MultiplexedFleetIT::onlineWithInfo);

    String all =
        console.deploy(v2, TargetSelector.group(group), "all-at-once", GateConfig.defaults());
    DeploymentView v = awaitSucceeded(all);
    assertThat(v.counts()).containsEntry(DeviceRollout.Status.ACTIVE, 50);
    assertThat(sim.devices()).allSatisfy(d -> assertThat(d.activeVersion("mlp")).isEqualTo("2"));

    // The canary's gate passes only on heartbeats that report version 3 after activation.
    String canary =
        console.deploy(v3, TargetSelector.group(group), "canary:10:1s", GateConfig.defaults());
    v = awaitSucceeded(canary);
    assertThat(v.history())
        .extracting(s -> s.to())
        .contains(DeploymentState.BAKING, DeploymentState.PROMOTED);
    assertThat(sim.devices()).allSatisfy(d -> assertThat(d.activeVersion("mlp")).isEqualTo("3"));
    assertThat(sim.devices()).allSatisfy(d -> assertThat(d.rejectedCommands()).isZero());
  }

  @Test
  void commandsReachOnlyTheAddressedDevice_andAForgedOneIsRejectedByIt() throws Exception {
    simulate(6, 3);
    awaitDevices(6, MultiplexedFleetIT::onlineWithInfo);
    SimulatedDevice target = sim.devices().get(1);
    SimulatedDevice neighbour = sim.devices().get(2);
    List<String> replies = new CopyOnWriteArrayList<>();
    try (MqttTransport raw =
        new MqttTransport(TransportConfig.builder(bed.brokerUrl(), group + "-tester").build())) {
      raw.setMessageHandler(m -> replies.add(new String(m.payload())));
      raw.keepSubscribed(List.of(Topics.allDevices(TopicKind.REPLIES)), 1);
      raw.start();
      await().atMost(WAIT).until(raw::subscribed);

      byte[] forged = signedDeploy(Ed25519Keys.generate(), target, "forged", v2);
      raw.publish(Topics.command(target.id(), "deploy"), forged, 1, false, MessageProps.none())
          .get();
      await().atMost(WAIT).until(() -> target.rejectedCommands() == 1);
      await().atMost(WAIT).until(() -> has(replies, "forged", "UNTRUSTED_KEY"));

      byte[] genuine = signedRollback(target, "real-1", "0");
      raw.publish(Topics.command(target.id(), "rollback"), genuine, 1, false, MessageProps.none())
          .get();
      await().atMost(WAIT).until(() -> has(replies, "real-1", "SUCCEEDED"));
      // The neighbour shares the target's connection and comes later in its queue: once it has
      // answered its own command, it would have answered (WRONG_DEVICE) a copy of the target's.
      raw.publish(
              Topics.command(neighbour.id(), "rollback"),
              signedRollback(neighbour, "real-2", "0"),
              1,
              false,
              MessageProps.none())
          .get();
      await().atMost(WAIT).until(() -> has(replies, "real-2", "SUCCEEDED"));
    }
    assertThat(target.activeVersion("mlp")).isEqualTo("0");
    assertThat(neighbour.activeVersion("mlp")).isEqualTo("0");
    assertThat(replies).noneMatch(r -> r.contains("WRONG_DEVICE"));
    assertThat(sim.devices())
        .filteredOn(d -> d != target && d != neighbour)
        .allSatisfy(
            d -> {
              assertThat(d.activeVersion("mlp")).isEqualTo("1");
              assertThat(d.rejectedCommands()).isZero();
            });
    assertThat(neighbour.rejectedCommands()).isZero();
  }

  @Test
  void closingTheSimulator_marksEveryDeviceOffline() {
    simulate(10, 4);
    assertThat(sim.connections()).isEqualTo(3);
    awaitDevices(10, MultiplexedFleetIT::onlineWithInfo);
    sim.close();
    sim = null;
    awaitDevices(10, r -> !r.online());
  }

  private static boolean has(List<String> replies, String commandId, String text) {
    return replies.stream().anyMatch(r -> r.contains(commandId) && r.contains(text));
  }
}
