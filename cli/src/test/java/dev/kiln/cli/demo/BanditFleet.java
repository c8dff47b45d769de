package dev.kiln.cli.demo;

import static org.awaitility.Awaitility.await;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.fleet.console.ConsoleConfig;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.RolloutEngine;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.testkit.Mosquitto;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet the bandit ITs deploy to: a real Mosquitto, a fleet console, and real agents in one
 * device group, each serving the sample mlp version 1 and reporting to the console.
 */
final class BanditFleet implements AutoCloseable {
  private final Path dir;
  private final Path artifactKey;
  private final Mosquitto broker;
  private final FleetConsole console;
  private final Map<String, DemoAgent.Setup> setups = new LinkedHashMap<>();
  private final Map<String, DemoAgent> agents = new LinkedHashMap<>();

  private BanditFleet(Path dir, Path artifactKey, Mosquitto broker, FleetConsole console) {
    this.dir = dir;
    this.artifactKey = artifactKey;
    this.broker = broker;
    this.console = console;
  }

  /**
   * Starts the broker, the console (as {@code consoleClientId}) and one agent per device id in
   * {@code group}, and returns once every agent is healthy and the console has its metrics.
   */
  static BanditFleet start(
      Path dir, String consoleClientId, String group, List<String> deviceIds, Duration wait)
      throws Exception {
    Mosquitto.requireInstalled();
    Path artifactKey = DemoKeys.generate(dir.resolve("keys"));
    KeyPair consoleKey = Ed25519Keys.generate();
    Path consolePub = dir.resolve("console-keys").resolve("console.pub");
    Files.createDirectories(consolePub.getParent());
    Ed25519Keys.writePair(consoleKey, consolePub.resolveSibling("console.key"), consolePub);
    Path v1 = BanditClient.compileMlp(dir.resolve("artifacts"), "1", artifactKey);
    Mosquitto broker = Mosquitto.start(dir.resolve("mosquitto"));
    FleetConsole console =
        new FleetConsole(
            ConsoleConfig.defaults(broker.url(), dir.resolve("console"), consoleKey)
                .withTimeouts(Duration.ofMinutes(5), new RolloutEngine.Settings(30_000, 3))
                .withClientId(consoleClientId));
    BanditFleet fleet = new BanditFleet(dir, artifactKey, broker, console);
    try {
      console.start();
      for (String id : deviceIds) {
        DemoAgent.Setup setup =
            DemoAgent.configure(
                dir.resolve("agents").resolve(id),
                new DemoAgent.Device(
                    id,
                    null,
                    List.of(group),
                    List.of(v1),
                    List.of(artifactKey.resolveSibling("kiln.pub"), consolePub),
                    "mlp",
                    broker.url(),
                    1));
        fleet.setups.put(id, setup);
        fleet.agents.put(id, DemoAgent.launch(setup));
      }
      for (DemoAgent a : fleet.agents.values()) {
        a.awaitHealthy(wait);
      }
      await()
          .atMost(wait)
          .until(
              () ->
                  deviceIds.stream()
                      .allMatch(
                          id -> {
                            DeviceRecord r = fleet.record(id);
                            return r != null && r.online() && r.metricsAt() > 0;
                          }));
      return fleet;
    } catch (Exception | Error e) {
      fleet.close();
      throw e;
    }
  }

  /** The broker everyone here talks to, for a test that publishes as the cloud would. */
  String brokerUrl() {
    return broker.url();
  }

  FleetConsole console() {
    return console;
  }

  /** The agents' setups by device id, in start order. */
  Map<String, DemoAgent.Setup> setups() {
    return Collections.unmodifiableMap(setups);
  }

  /** The console's state folder, for {@code kiln fleet status --state-dir}. */
  Path consoleDir() {
    return dir.resolve("console");
  }

  /** The console's record of {@code deviceId}, or null before its first heartbeat. */
  DeviceRecord record(String deviceId) {
    return console.devices().stream()
        .filter(r -> r.deviceId().equals(deviceId))
        .findFirst()
        .orElse(null);
  }

  /** The sample mlp compiled as {@code version}, signed with the key the agents trust. */
  Path compile(String version) {
    return BanditClient.compileMlp(dir.resolve("artifacts"), version, artifactKey);
  }

  /** {@code source} compiled as mlp {@code version}, signed with the key the agents trust. */
  Path compile(String version, Path source) {
    return BanditClient.compileAsMlp(dir.resolve("artifacts"), source, version, artifactKey);
  }

  HttpResponse<String> invoke(String deviceId) throws Exception {
    return BanditClient.invoke(setups.get(deviceId));
  }

  @Override
  public void close() throws Exception {
    for (DemoAgent a : agents.values()) {
      a.close();
    }
    console.close();
    broker.close();
  }
}
