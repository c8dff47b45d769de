package dev.kiln.fleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.Strategy;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.fleet.rollout.Transition;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.fleet.state.FleetStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
  void aStoreThatIsNotPostgres_exits2_sayingTheForm() {
    assertThat(run("status", "--store", "mysql://db/fleet", "--state-dir", dir.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("postgresql://USER@HOST:PORT/DATABASE");
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
  void deploy_withABadGate_exits2_listingTheAllowedForms() {
    int code =
        run(
            "deploy",
            "x.kiln",
            "--all",
            "--strategy",
            "canary:10:5m",
            "--gate",
            "accuracy:0.02:200",
            "--gate",
            "latency",
            "--state-dir",
            dir.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("gate 'latency' is not valid")
        .contains("accuracy:MARGIN[:MIN_LABELLED[:WAIT]]")
        .contains("drift");
  }

  @Test
  void status_ofADeployment_showsItsGates() {
    seed();
    assertThat(run("status", "dep-1", "--state-dir", dir.toString())).isZero();
    assertThat(out.toString()).contains("gates: error-rate<=0.05 p95-ratio<=1.5\n");
  }

  @Test
  void deploy_banditArms_mustBeOnePlusTheArtifacts_exits2_namingBoth() {
    int code =
        run(
            "deploy",
            "x.kiln",
            "--all",
            "--strategy",
            "bandit:3:10m",
            "--state-dir",
            dir.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("ARMS 3").contains("but the deployment has 1");
    err.getBuffer().setLength(0);
    code =
        run(
            "deploy",
            "x.kiln",
            "y.kiln",
            "--all",
            "--strategy",
            "bandit:2:10m",
            "--state-dir",
            dir.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("ARMS 2").contains("but the deployment has 2");
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

  /** A finished all-at-once deployment to cam-1 and cam-2, ended by {@code end}. */
  private static Deployment ended(Transition end, DeviceRollout.Status cam2) {
    Deployment d =
        Deployment.create(
            "dep-2",
            new ArtifactRef("mlp", "2", "abc", 1, "arm64", "rpi5", List.of(), "/x.kiln"),
            TargetSelector.devices(List.of("cam-1", "cam-2")),
            Strategy.parse("all-at-once"),
            GateConfig.defaults(),
            1,
            1000);
    d.plan(Strategy.parse("all-at-once").plan(List.of("cam-1", "cam-2")), Map.of());
    d.apply(Transition.START, 2, "phase 1 of 1");
    d.update(row("cam-1", DeviceRollout.Status.REFUSED, "INCOMPATIBLE_ARTIFACT", "for x86_64"), 3);
    d.update(
        row("cam-2", cam2, cam2 == DeviceRollout.Status.ACTIVE ? null : "ACTIVATION_FAILED", "oom"),
        3);
    d.apply(end, 4, "ended");
    return d;
  }

  private static DeviceRollout row(String id, DeviceRollout.Status s, String code, String msg) {
    return new DeviceRollout(id, 0, s, "c-" + id, 1, 3, null, msg, code, "1", 0);
  }

  @Test
  void status_ofAFailedDeployment_showsEachDevicesCodeAndMessage() {
    seed();
    new FleetStore(dir).save(ended(Transition.FAIL, DeviceRollout.Status.FAILED));
    assertThat(run("status", "dep-2", "--state-dir", dir.toString())).isZero();
    assertThat(out.toString())
        .contains("FAILED")
        .contains("CODE")
        .containsPattern("cam-1 +1 +REFUSED +INCOMPATIBLE_ARTIFACT .*for x86_64")
        .containsPattern("cam-2 +1 +FAILED +ACTIVATION_FAILED .*oom");
  }

  @Test
  void deployExit_isZeroOnlyWhenEveryTargetRunsIt_14WhenSome_1WhenNone() {
    DeploymentView full =
        DeploymentView.of(ended(Transition.COMPLETE, DeviceRollout.Status.ACTIVE));
    DeploymentView some =
        DeploymentView.of(ended(Transition.COMPLETE_PARTIALLY, DeviceRollout.Status.ACTIVE));
    DeploymentView none = DeploymentView.of(ended(Transition.FAIL, DeviceRollout.Status.FAILED));
    assertThat(ConsoleRun.exit(full, DeploymentState.SUCCEEDED)).isZero();
    assertThat(ConsoleRun.exit(some, DeploymentState.SUCCEEDED)).isEqualTo(14);
    assertThat(ConsoleRun.exit(none, DeploymentState.SUCCEEDED)).isEqualTo(1);
  }

  @Test
  void leftBehind_listsRefusedFailedAndOfflineDevices_withCodes_cappedWithAPointer() {
    DeploymentView none = DeploymentView.of(ended(Transition.FAIL, DeviceRollout.Status.FAILED));
    assertThat(Views.leftBehind(none, 20))
        .contains("DEVICE  STATUS")
        .containsPattern("cam-1 +REFUSED +INCOMPATIBLE_ARTIFACT +for x86_64")
        .containsPattern("cam-2 +FAILED +ACTIVATION_FAILED +oom");
    assertThat(Views.leftBehind(none, 1))
        .contains("cam-1")
        .doesNotContain("cam-2")
        .contains("... and 1 more: kiln fleet status dep-2");
    DeploymentView some =
        DeploymentView.of(ended(Transition.COMPLETE_PARTIALLY, DeviceRollout.Status.ACTIVE));
    assertThat(Views.leftBehind(some, 20)).contains("cam-1").doesNotContain("cam-2");
  }

  @Test
  void provision_createsTheCaOnce_andIssuesDevicesConsoleAndMosquitto() throws Exception {
    Path ids = dir.resolve("ids");
    assertThat(
            run(
                "provision",
                "cam-1",
                "--console",
                "--mosquitto",
                dir.resolve("mq").toString(),
                "--state-dir",
                dir.toString(),
                "--out",
                ids.toString(),
                "--broker-url",
                "ssl://mqtt.example:8883"))
        .isZero();
    assertThat(out.toString()).contains("created fleet CA").contains("device cam-1");
    assertThat(ids.resolve("cam-1/device.crt")).exists();
    assertThat(ids.resolve("cam-1/agent-cloud.json")).content().contains("mqtt.example:8883");
    assertThat(dir.resolve("pki/console/console.crt")).exists();
    assertThat(dir.resolve("mq/mosquitto.conf")).content().contains("require_certificate true");
    assertThat(dir.resolve("mq/acl")).content().contains("pattern write");

    out.getBuffer().setLength(0);
    assertThat(run("provision", "cam-2", "--state-dir", dir.toString(), "--out", ids.toString()))
        .isZero();
    assertThat(out.toString()).doesNotContain("created fleet CA");
  }

  @Test
  void provision_withNothingToIssue_orAReservedName_isAUsageError() {
    assertThat(run("provision", "--state-dir", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("nothing to issue");
    assertThat(
            run(
                "provision",
                "kiln-console",
                "--state-dir",
                dir.toString(),
                "--out",
                dir.resolve("ids").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("fleet service");
  }
}
