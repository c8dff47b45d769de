package dev.kiln.fleet.simulate;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.fleet.console.ArtifactRefs;
import dev.kiln.fleet.console.ConsoleConfig;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.RolloutEngine;
import dev.kiln.testkit.Mosquitto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.TestInfo;

/**
 * What the fleet ITs stand on: a real Mosquitto, the console's and the artifact signer's keys,
 * stand-in artifacts signed by the latter, and for each test a fresh console whose devices share a
 * group named after the test, so tests never see each other's devices.
 */
final class FleetTestBed implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(40);

  final KeyPair consoleKey = Ed25519Keys.generate();
  final KeyPair artifactKey = Ed25519Keys.generate();
  private final Path root;
  private final Path artifacts;
  private final Mosquitto broker;

  private FleetTestBed(Path root) throws IOException {
    this.root = root;
    Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    this.broker = Mosquitto.start(Files.createTempDirectory(root, "broker"));
    this.artifacts = Files.createTempDirectory(root, "artifacts");
  }

  static FleetTestBed start(Path root) throws IOException {
    return new FleetTestBed(root);
  }

  String brokerUrl() {
    return broker.url();
  }

  /** A signed stand-in artifact of model {@code mlp} with a payload of {@code bytes}. */
  ArtifactRef artifact(String version, String profile, String arch, int bytes) throws Exception {
    return ArtifactRefs.read(
        StandInArtifacts.write(artifacts, "mlp", version, profile, arch, bytes, artifactKey));
  }

  /** The keys a simulated device trusts for fleet commands. */
  Map<String, PublicKey> trustedConsoleKeys() {
    return Map.of(Ed25519Keys.keyId(consoleKey.getPublic()), consoleKey.getPublic());
  }

  /** The keys a simulated device trusts for artifacts. */
  Map<String, PublicKey> trustedArtifactKeys() {
    return Map.of(Ed25519Keys.keyId(artifactKey.getPublic()), artifactKey.getPublic());
  }

  /** A started console for one test, in its own group and folder. */
  TestConsole console(TestInfo info) throws IOException {
    String group =
        info.getTestMethod().orElseThrow().getName().substring(0, 12).replaceAll("[^A-Za-z]", "");
    Path dir = Files.createTempDirectory(root, group);
    ConsoleConfig config =
        ConsoleConfig.defaults(broker.url(), dir.resolve("console"), consoleKey)
            .withTimeouts(Duration.ofSeconds(60), new RolloutEngine.Settings(10_000, 3))
            .withChunkSize(64 * 1024)
            .withClientId("console-" + group);
    FleetConsole console = new FleetConsole(config);
    console.start();
    return new TestConsole(console, config, dir, group);
  }

  /**
   * One test's console, its config (to start it again on the same state), its scratch folder and
   * the group its devices join.
   */
  record TestConsole(FleetConsole console, ConsoleConfig config, Path dir, String group) {}

  @Override
  public void close() {
    broker.close();
  }
}
