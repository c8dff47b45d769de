package dev.kiln.cli.demo;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.TrustedKeys;
import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.service.CloudHost;
import dev.kiln.cloud.service.auth.Role;
import dev.kiln.cloud.service.auth.TokenStore;
import dev.kiln.cloud.service.console.ConsoleFiles;
import dev.kiln.fleet.simulate.FleetSimulator;
import dev.kiln.fleet.simulate.SimBehavior;
import dev.kiln.testkit.Mosquitto;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cloud service as {@code kiln cloud run --broker} starts it (ingestor, fleet console, HTTP API
 * and the web console, on a real Mosquitto), in this JVM, with an operator and a viewer token, and
 * simulated devices on demand. The browser tests open {@link #url()} in Chromium.
 */
final class ConsoleService implements AutoCloseable {
  private final Mosquitto broker;
  private final CloudHost host;
  private final Path dir;
  private final String operatorToken;
  private final String viewerToken;
  private final List<FleetSimulator> simulators = new ArrayList<>();

  private ConsoleService(
      Mosquitto broker, CloudHost host, Path dir, String operatorToken, String viewerToken) {
    this.broker = broker;
    this.host = host;
    this.dir = dir;
    this.operatorToken = operatorToken;
    this.viewerToken = viewerToken;
  }

  /**
   * Starts the service on a real Mosquitto (as {@code kiln cloud run --broker}): ten thousand
   * simulated devices on the embedded broker came online a few a second, too slowly for the
   * benchmark, while Mosquitto takes them all in seconds, as the fleet-rollout bench shows.
   */
  static ConsoleService start(Path dir) throws Exception {
    Mosquitto.requireInstalled();
    Path state = dir.resolve("state");
    Mosquitto broker = Mosquitto.start(dir.resolve("mosquitto"));
    CloudHost host;
    try {
      host = startHost(dir, state, broker.url());
    } catch (Exception | Error e) {
      broker.close();
      throw e;
    }
    TokenStore tokens = TokenStore.open(state);
    return new ConsoleService(
        broker,
        host,
        dir,
        tokens.create("olivia", Role.OPERATOR),
        tokens.create("victor", Role.VIEWER));
  }

  private static CloudHost startHost(Path dir, Path state, String brokerUrl) throws Exception {
    return CloudHost.start(
        new CloudHost.Settings(
            new CloudService.Options(
                brokerUrl,
                dir.resolve("cloud.duckdb"),
                null,
                0,
                null,
                false,
                "console-it-ingest",
                null,
                null),
            state,
            "127.0.0.1",
            0,
            false,
            new ConsoleFiles()),
        new PrintWriter(System.out, true));
  }

  CloudHost host() {
    return host;
  }

  /** The console's address: the page at /, the API under /api/v1. */
  String url() {
    return "http://127.0.0.1:" + host.apiPort();
  }

  String brokerUrl() {
    return host.cloud().brokerUrl();
  }

  String operatorToken() {
    return operatorToken;
  }

  String viewerToken() {
    return viewerToken;
  }

  /** The public half of the console's command key, for agents to trust. */
  Path consolePub() {
    return Ed25519Keys.publicFileBeside(host.stateDir().resolve(CloudHost.CONSOLE_KEY));
  }

  /**
   * {@code count} simulated devices ({@code prefix-1..N}) in {@code group}, running mlp version 1,
   * trusting the console's key and the artifact keys in {@code artifactKeys}.
   */
  FleetSimulator simulate(
      String prefix, int count, String group, Path artifactKeys, Duration heartbeat)
      throws java.io.IOException {
    PublicKey console = Ed25519Keys.readPublic(consolePub());
    FleetSimulator sim =
        FleetSimulator.start(
            new FleetSimulator.Spec(
                brokerUrl(),
                prefix,
                count,
                "linux-x86_64",
                List.of(group),
                dir.resolve("sim-" + prefix),
                Map.of(Ed25519Keys.keyId(console), console),
                TrustedKeys.load(artifactKeys),
                Map.of("mlp", "1"),
                SimBehavior.healthy(),
                heartbeat,
                FleetSimulator.DEFAULT_DEVICES_PER_CONNECTION,
                FleetSimulator.DEFAULT_WORK_THREADS));
    simulators.add(sim);
    return sim;
  }

  /** Devices the console has seen online. */
  long online() {
    return host.console().devices().stream().filter(d -> d.online()).count();
  }

  @Override
  public void close() {
    for (FleetSimulator s : simulators) {
      s.close();
    }
    try {
      host.close();
    } finally {
      broker.close();
    }
  }
}
