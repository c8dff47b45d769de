package dev.kiln.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.cli.KilnMain;
import dev.kiln.fleet.simulate.StandInArtifacts;
import dev.kiln.testkit.Mosquitto;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code kiln fleet simulate} and {@code kiln fleet deploy} as a user would run them. */
class FleetCliIT {

  /** Runs {@code kiln fleet ARGS} as the CLI builds it: the console's commands plus simulate. */
  private static int run(StringWriter out, String... args) {
    CommandLine cli = KilnMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    String[] fleet = new String[args.length + 1];
    fleet[0] = "fleet";
    System.arraycopy(args, 0, fleet, 1, args.length);
    return cli.execute(fleet);
  }

  @Test
  void simulateThenDeploy_rollsOutAndShowsUpInStatusAndDevices(@TempDir Path dir) throws Exception {
    withSimulatedFleet(
        dir,
        3,
        "linux-x86_64",
        "x86_64",
        300_000,
        (state, kiln, brokerUrl) -> {
          StringWriter out = new StringWriter();
          int code =
              run(
                  out,
                  "deploy",
                  kiln.toString(),
                  "--group",
                  "cli",
                  "--strategy",
                  "rolling:2",
                  "--broker",
                  brokerUrl,
                  "--state-dir",
                  state.toString(),
                  "--wait",
                  "PT60S");
          assertThat(code).as(out.toString()).isZero();
          assertThat(out.toString()).contains("SUCCEEDED");

          StringWriter status = new StringWriter();
          assertThat(run(status, "status", "--state-dir", state.toString())).isZero();
          assertThat(status.toString()).contains("SUCCEEDED").contains("3 active");
          StringWriter devices = new StringWriter();
          assertThat(run(devices, "devices", "--group", "cli", "--state-dir", state.toString()))
              .isZero();
          assertThat(devices.toString()).contains("sim-1").contains("mlp@2");

          // Every command sent is in the audit log: signed by the console key, run by this user,
          // with each device's outcome appended after it; the chain verifies.
          String keyId = Ed25519Keys.keyId(Ed25519Keys.readPublic(state.resolve("console.pub")));
          String operator = System.getProperty("user.name");
          StringWriter audit = new StringWriter();
          assertThat(run(audit, "audit", "--state-dir", state.toString())).isZero();
          for (String device : new String[] {"sim-1", "sim-2", "sim-3"}) {
            assertThat(audit.toString())
                .containsPattern(
                    "command +deploy +\\S+ +" + device + " +mlp@2 +- +" + keyId + " +" + operator)
                .containsPattern("outcome +deploy +\\S+ +" + device + " +mlp@2 +SUCCEEDED");
          }
          StringWriter verify = new StringWriter();
          assertThat(run(verify, "audit", "--verify", "--state-dir", state.toString()))
              .as(verify.toString())
              .isZero();
          assertThat(verify.toString()).contains("chain intact");
        });
  }

  /**
   * An artifact that every device refuses (built for arm64, the simulated devices are x86_64): the
   * deploy ends FAILED, exits 1 (not 0, as it once did with {@code SUCCEEDED ... on {REFUSED=3}}),
   * and names each device's code.
   */
  @Test
  void deployThatEveryDeviceRefuses_exitsNonZero_namingEachDevicesCode(@TempDir Path dir)
      throws Exception {
    withSimulatedFleet(
        dir,
        2,
        "linux-arm64",
        "arm64",
        1000,
        (state, kiln, brokerUrl) -> {
          StringWriter out = new StringWriter();
          int code =
              run(
                  out,
                  "deploy",
                  kiln.toString(),
                  "--group",
                  "cli",
                  "--broker",
                  brokerUrl,
                  "--state-dir",
                  state.toString(),
                  "--wait",
                  "PT60S");
          assertThat(code).as(out.toString()).isEqualTo(1);
          assertThat(out.toString())
              .contains(" FAILED: mlp@2 is active on none of 2 devices")
              .containsPattern("sim-1 +REFUSED +INCOMPATIBLE_ARTIFACT +\\S")
              .containsPattern("sim-2 +REFUSED +INCOMPATIBLE_ARTIFACT +\\S")
              .doesNotContain("SUCCEEDED");

          StringWriter status = new StringWriter();
          assertThat(run(status, "status", "--state-dir", state.toString())).isZero();
          assertThat(status.toString()).contains("FAILED").contains("2 refused");

          StringWriter audit = new StringWriter();
          assertThat(run(audit, "audit", "--device", "sim-2", "--state-dir", state.toString()))
              .isZero();
          assertThat(audit.toString())
              .containsPattern("command +deploy +\\S+ +sim-2 +mlp@2")
              .containsPattern(
                  "outcome +deploy +\\S+ +sim-2 +mlp@2 +REJECTED INCOMPATIBLE_ARTIFACT")
              .doesNotContain("sim-1");
        });
  }

  /** What a test does with the fleet: the console's state folder, the artifact, the broker. */
  @FunctionalInterface
  private interface FleetSteps {
    void run(Path state, Path kiln, String brokerUrl) throws Exception;
  }

  /**
   * A console state folder with its key, a release key the devices trust, a stand-in artifact for
   * {@code profile}/{@code arch} signed with it, and {@code devices} x86_64 devices simulated by
   * {@code kiln fleet simulate} over a real Mosquitto while {@code steps} run.
   */
  private static void withSimulatedFleet(
      Path dir, int devices, String profile, String arch, int bytes, FleetSteps steps)
      throws Exception {
    Path state = dir.resolve("state");
    Files.createDirectories(state);
    Ed25519Keys.writePair(
        Ed25519Keys.generate(), state.resolve("console.key"), state.resolve("console.pub"));
    KeyPair artifactKey = Ed25519Keys.generate();
    Path keys = Files.createDirectories(dir.resolve("keys"));
    Ed25519Keys.writePair(artifactKey, dir.resolve("release.key"), keys.resolve("release.pub"));
    Path kiln =
        StandInArtifacts.write(
            Files.createDirectories(dir.resolve("a")),
            "mlp",
            "2",
            profile,
            arch,
            bytes,
            artifactKey);

    try (Mosquitto broker = Mosquitto.start(dir.resolve("broker"))) {
      StringWriter simOut = new StringWriter();
      Thread sim =
          new Thread(
              () ->
                  run(
                      simOut,
                      "simulate",
                      "--devices",
                      String.valueOf(devices),
                      "--broker",
                      broker.url(),
                      "--state-dir",
                      state.toString(),
                      "--artifact-keys",
                      keys.toString(),
                      "--group",
                      "cli",
                      "--heartbeat",
                      "PT0.3S"));
      sim.start();
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> simOut.toString().contains("connected"));
        steps.run(state, kiln, broker.url());
      } finally {
        sim.interrupt();
        sim.join();
      }
    }
  }
}
