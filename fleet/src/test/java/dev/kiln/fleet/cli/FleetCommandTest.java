package dev.kiln.fleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.Strategy;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.fleet.state.FleetStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class FleetCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new FleetCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private void seed() {
    FleetStore store = new FleetStore(dir);
    store.saveDevices(
        List.of(
            DeviceRecord.unknown("cam-1")
                .withInfo(List.of("lab"), "rpi5", "arm64")
                .withReported("mlp", "1"),
            DeviceRecord.unknown("cam-2").withInfo(List.of("field"), "rpi5", "arm64")));
    store.save(
        Deployment.create(
            "dep-1",
            new ArtifactRef("mlp", "2", "abc", 1, "arm64", "rpi5", List.of(), "/x.kiln"),
            TargetSelector.group("lab"),
            Strategy.parse("canary:10:5m"),
            GateConfig.defaults(),
            1,
            1000));
  }

  @Test
  void status_listsDeployments_asTableAndJson() {
    seed();
    assertThat(run("status", "--state-dir", dir.toString())).isZero();
    assertThat(out.toString())
        .contains("DEPLOYMENT")
        .contains("dep-1")
        .contains("mlp@2")
        .contains("canary:10:300000ms")
        .contains("NEW");
    out.getBuffer().setLength(0);
    assertThat(run("status", "dep-1", "--json", "--state-dir", dir.toString())).isZero();
    assertThat(out.toString()).contains("\"id\" : \"dep-1\"").contains("\"state\" : \"NEW\"");
  }

  @Test
  void status_ofAnUnknownDeployment_exitsNotFound_namingIt() {
    seed();
    // 10 (not 3, which means "unsupported model" in the one exit-code table: docs/exit-codes.md).
    assertThat(run("status", "dep-9", "--state-dir", dir.toString())).isEqualTo(10);
    assertThat(err.toString()).contains("no deployment dep-9");
  }

  @Test
  void devices_filtersByGroup() {
    seed();
    assertThat(run("devices", "--group", "lab", "--state-dir", dir.toString())).isZero();
    assertThat(out.toString()).contains("cam-1").contains("mlp@1").doesNotContain("cam-2");
    out.getBuffer().setLength(0);
    assertThat(run("devices", "--json", "--state-dir", dir.toString())).isZero();
    assertThat(out.toString()).contains("\"deviceId\" : \"cam-2\"");
  }

  @Test
  void deploy_withABadStrategy_exits2_listingTheAllowedForms() {
    int code =
        run("deploy", "x.kiln", "--all", "--strategy", "yolo", "--state-dir", dir.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("strategy 'yolo' is not valid")
        .contains("canary:PERCENT:BAKE");
  }

  @Test
  void deploy_needsExactlyOneTarget() {
    int code = run("deploy", "x.kiln", "--all", "--group", "lab", "--state-dir", dir.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("mutually exclusive");
  }

  @Test
  void deploy_ofAMissingArtifact_exits9() {
    int code =
        run("deploy", dir.resolve("nope.kiln").toString(), "--all", "--state-dir", dir.toString());
    assertThat(code).isEqualTo(9);
    assertThat(err.toString()).contains("is not a .kiln archive");
  }
}
