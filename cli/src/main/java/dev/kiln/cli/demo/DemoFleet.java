package dev.kiln.cli.demo;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.fleet.cli.Views;
import dev.kiln.fleet.console.ArtifactRefs;
import dev.kiln.fleet.console.ConsoleConfig;
import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.RolloutEngine;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.fleet.state.DeviceRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The demo's fleet console, in this process: its own signing key (devices trust its public half), a
 * rollout that prints each transition and device status as it happens, and the fleet tables.
 */
public final class DemoFleet implements AutoCloseable {
  private final FleetConsole console;
  private final Path publicKey;
  private final boolean owned;

  private DemoFleet(FleetConsole console, Path publicKey, boolean owned) {
    this.console = console;
    this.publicKey = publicKey;
    this.owned = owned;
  }

  /** The console a cloud service hosts (demo --keep-running); the service closes it, not this. */
  static DemoFleet of(FleetConsole console, Path publicKey) {
    return new DemoFleet(console, publicKey, false);
  }

  public static DemoFleet start(Path dir, String brokerUrl) throws IOException {
    Path stateDir = Files.createDirectories(dir);
    KeyPair key = Ed25519Keys.generate();
    Path pub = stateDir.resolve("console.pub");
    Ed25519Keys.writePair(key, stateDir.resolve("console.key"), pub);
    FleetConsole console =
        new FleetConsole(
            ConsoleConfig.defaults(brokerUrl, stateDir, key)
                .withTimeouts(Duration.ofMinutes(3), new RolloutEngine.Settings(15_000, 3))
                .withClientId("kiln-demo-console"));
    console.start();
    return new DemoFleet(console, pub, true);
  }

  /** What devices must trust to accept this console's commands. */
  public Path publicKey() {
    return publicKey;
  }

  public void awaitOnline(List<String> ids, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!online(ids)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "devices " + ids + " did not report to the fleet console within " + timeout);
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  private boolean online(List<String> ids) {
    Map<String, DeviceRecord> known = new HashMap<>();
    console.devices().forEach(r -> known.put(r.deviceId(), r));
    return ids.stream()
        .allMatch(
            id ->
                known.get(id) != null
                    && known.get(id).online()
                    && known.get(id).profile() != null
                    // A heartbeat too: it tells the version a rollback would return to.
                    && known.get(id).metricsAt() > 0);
  }

  /**
   * Waits until every device's heartbeat reports {@code version} for {@code model}: a deployment
   * succeeds on the devices' replies, and the fleet table shows their next heartbeats.
   */
  public void awaitRunning(List<String> ids, String model, String version, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!running(ids, model, version) && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  private boolean running(List<String> ids, String model, String version) {
    return console.devices().stream()
            .filter(r -> ids.contains(r.deviceId()))
            .filter(r -> version.equals(r.reported().get(model)))
            .count()
        == ids.size();
  }

  /** Deploys and follows the deployment to its end, printing what happens. */
  public DeploymentView rollout(
      Path artifact,
      List<String> devices,
      String strategy,
      GateConfig gate,
      DemoSteps steps,
      Duration timeout)
      throws InterruptedException {
    String id =
        console.deploy(
            ArtifactRefs.read(artifact), TargetSelector.devices(devices), strategy, gate);
    long deadline = System.nanoTime() + timeout.toNanos();
    int printedSteps = 0;
    Map<String, DeviceRollout.Status> printed = new HashMap<>();
    while (true) {
      DeploymentView v = console.deployment(id);
      for (; printedSteps < v.history().size(); printedSteps++) {
        var s = v.history().get(printedSteps);
        steps.note(s.to() + ": " + s.reason());
      }
      for (DeviceRollout r : v.devices()) {
        if (r.status() != printed.put(r.deviceId(), r.status())) {
          steps.note(
              "  "
                  + r.deviceId()
                  + " "
                  + r.status().name().toLowerCase(java.util.Locale.ROOT)
                  + (r.message() == null ? "" : ": " + r.message()));
        }
      }
      if (v.state().terminal()) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("deployment " + id + " did not finish within " + timeout);
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  public String devicesTable() {
    return Views.devices(console.devices());
  }

  @Override
  public void close() {
    if (owned) {
      console.close();
    }
  }
}
