package dev.kiln.cloud.service.it;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.service.CloudHost;
import dev.kiln.cloud.service.auth.TokenStore;
import dev.kiln.fleet.simulate.FleetSimulator;
import dev.kiln.fleet.simulate.SimBehavior;
import dev.kiln.fleet.simulate.StandInArtifacts;
import dev.kiln.testkit.FreePorts;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real cloud service in this JVM (embedded broker, DuckDB, console, API on a free port) and
 * simulated devices that run the real device-side deploy logic and trust its console key.
 */
final class ServiceFixture implements AutoCloseable {
  static final String PROFILE = "linux-x86_64";

  final Path root;
  final Path state;
  final CloudHost host;
  final ApiClient admin;
  final KeyPair artifactKey = Ed25519Keys.generate();
  private final List<FleetSimulator> fleets = new ArrayList<>();

  private ServiceFixture(Path root, Path state, CloudHost host) {
    this.root = root;
    this.state = state;
    this.host = host;
    this.admin =
        new ApiClient(
            "http://127.0.0.1:" + host.apiPort() + "/api/v1",
            TokenStore.readTokenFile(state.resolve(TokenStore.ADMIN_TOKEN_FILE)));
  }

  static ServiceFixture start(Path root) throws IOException {
    Path state = root.resolve("cloud.state");
    return new ServiceFixture(
        root,
        state,
        CloudHost.start(
            settings(root, state, FreePorts.next()), new PrintWriter(new StringWriter())));
  }

  static CloudHost.Settings settings(Path root, Path state, int brokerPort) {
    CloudService.Options cloud =
        new CloudService.Options(
            null,
            root.resolve("cloud.duckdb"),
            "127.0.0.1",
            brokerPort,
            root.resolve("broker"),
            false,
            "kiln-ingest-test",
            null,
            null);
    return new CloudHost.Settings(cloud, state, "127.0.0.1", 0, false, null);
  }

  /** {@code count} simulated devices {@code prefix-1..N} in {@code group}, running mlp 1. */
  FleetSimulator devices(String prefix, int count, String group) {
    PublicKey consoleKey = Ed25519Keys.readPublic(state.resolve("console.pub"));
    FleetSimulator sim =
        FleetSimulator.start(
            new FleetSimulator.Spec(
                host.cloud().brokerUrl(),
                prefix,
                count,
                PROFILE,
                List.of(group),
                root.resolve("devices-" + prefix),
                Map.of(Ed25519Keys.keyId(consoleKey), consoleKey),
                Map.of(Ed25519Keys.keyId(artifactKey.getPublic()), artifactKey.getPublic()),
                Map.of("mlp", "1"),
                SimBehavior.healthy(),
                Duration.ofMillis(300),
                FleetSimulator.DEFAULT_DEVICES_PER_CONNECTION,
                2));
    fleets.add(sim);
    return sim;
  }

  /** A signed stand-in artifact of model mlp. */
  Path artifact(String version) throws IOException {
    return StandInArtifacts.write(
        Files.createDirectories(root.resolve("artifacts")),
        "mlp",
        version,
        PROFILE,
        "x86_64",
        4096,
        artifactKey);
  }

  @Override
  public void close() {
    fleets.forEach(FleetSimulator::close);
    host.close();
  }
}
