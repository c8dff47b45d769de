package dev.kiln.fleet.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.rollout.TargetSelector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetStoreTest {
  @TempDir Path dir;

  @Test
  void devices_roundTrip_andComeBackOfflineAfterARestart() {
    DeviceRecord d =
        DeviceRecord.unknown("dev1")
            .withInfo(List.of("lab"), "rpi5", "arm64")
            .withStatus(true, 5, 6, "a1")
            .withReported("mlp", "1")
            .withDesired("mlp", new DesiredModel("2", "abc", "dep1"));
    new FleetStore(dir).saveDevices(List.of(d));
    DeviceRecord loaded = new FleetStore(dir).loadDevices().get(0);
    assertThat(loaded).isEqualTo(d);
    DeviceRegistry registry = new DeviceRegistry(List.of(loaded));
    assertThat(registry.online("dev1")).isFalse();
    assertThat(registry.get("dev1").drift()).containsKey("mlp");
  }

  @Test
  void registry_resolvesGroupsAndAll_andTracksDirtyRecords() {
    DeviceRegistry r = new DeviceRegistry(List.of());
    r.update("b", x -> x.withInfo(List.of("lab"), "p", "x86_64"), true);
    r.update("a", x -> x.withInfo(List.of("field"), "p", "x86_64"), true);
    r.update("c", x -> x.withHeartbeat(Map.of(), Map.of(), Map.of("m", 1.0), 1), false);
    assertThat(r.resolve(TargetSelector.group("lab"))).containsExactly("b");
    assertThat(r.resolve(TargetSelector.everyDevice())).containsExactly("a", "b", "c");
    assertThat(r.dirty()).isTrue();
    r.written();
    assertThat(r.dirty()).isFalse();
    r.update("c", x -> x.withHeartbeat(Map.of(), Map.of(), Map.of("m", 2.0), 2), false);
    assertThat(r.dirty()).as("metrics alone are not worth a write").isFalse();
  }

  @Test
  void load_fails_namingTheCorruptFile() throws Exception {
    FleetStore store = new FleetStore(dir);
    Files.writeString(dir.resolve("deployments/bad.json"), "{not json");
    assertThatThrownBy(store::loadDeployments)
        .isInstanceOf(FleetException.class)
        .hasMessageContaining("bad.json")
        .hasMessageContaining("delete it");
  }
}
