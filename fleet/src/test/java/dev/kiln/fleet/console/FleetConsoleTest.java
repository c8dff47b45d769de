package dev.kiln.fleet.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.fleet.state.FleetStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's bookkeeping without a broker: nothing here needs a device to answer. */
class FleetConsoleTest {
  private static final ArtifactRef V2 =
      new ArtifactRef("mlp", "2", "abc", 1, "x86_64", "linux-x86_64", List.of(), "/nope.kiln");
  @TempDir Path dir;

  private FleetConsole console() {
    // Port 1 on loopback refuses connections; the console works offline and keeps retrying.
    return new FleetConsole(
        ConsoleConfig.defaults("tcp://127.0.0.1:1", dir, Ed25519Keys.generate()));
  }

  private void offlineDevice(String id, String group) {
    new FleetStore(dir)
        .saveDevices(
            List.of(
                DeviceRecord.unknown(id)
                    .withInfo(List.of(group), "linux-x86_64", "x86_64")
                    .withReported("mlp", "1")));
  }

  @Test
  void deploy_toAGroupWithNoDevices_failsWithAReason_andIsPersisted() {
    String id;
    try (FleetConsole c = console()) {
      id = c.deploy(V2, TargetSelector.group("empty"), "all-at-once", GateConfig.defaults());
      assertThat(c.deployment(id).state()).isEqualTo(DeploymentState.FAILED);
    }
    try (FleetConsole c = console()) {
      assertThat(c.deployment(id).reason()).contains("no known device matches group empty");
    }
  }

  @Test
  void cancel_survivesARestart_andTheDeviceIsNoLongerMeantToChange() {
    offlineDevice("d1", "lab");
    String id;
    try (FleetConsole c = console()) {
      id = c.deploy(V2, TargetSelector.group("lab"), "all-at-once", GateConfig.defaults());
      assertThat(c.deployment(id).state()).isEqualTo(DeploymentState.IN_PROGRESS);
      assertThat(c.devices().get(0).desired().get("mlp").version()).isEqualTo("2");
      c.cancel(id);
    }
    try (FleetConsole c = console()) {
      assertThat(c.deployment(id).state()).isEqualTo(DeploymentState.CANCELLED);
      assertThat(c.devices().get(0).drift()).isEmpty();
      assertThatThrownBy(() -> c.rollback(id))
          .isInstanceOf(FleetException.class)
          .satisfies(
              e ->
                  assertThat(((FleetException) e).code())
                      .isEqualTo(FleetErrorCode.ILLEGAL_TRANSITION));
    }
  }

  @Test
  void newDeploymentOfTheSameModel_supersedesAnUnfinishedOne() {
    offlineDevice("d1", "lab");
    try (FleetConsole c = console()) {
      String first =
          c.deploy(V2, TargetSelector.group("lab"), "all-at-once", GateConfig.defaults());
      String second =
          c.deploy(V2, TargetSelector.group("lab"), "all-at-once", GateConfig.defaults());
      assertThat(c.deployment(first).state()).isEqualTo(DeploymentState.CANCELLED);
      assertThat(c.deployment(first).reason()).isEqualTo("superseded by " + second);
      assertThat(c.deployment(second).state()).isEqualTo(DeploymentState.IN_PROGRESS);
    }
  }

  @Test
  void secondConsoleOnTheSameStateDir_isRefused() {
    try (FleetConsole c = console()) {
      assertThatThrownBy(this::console)
          .isInstanceOf(FleetException.class)
          .hasMessageContaining("another console is running on");
    }
  }
}
