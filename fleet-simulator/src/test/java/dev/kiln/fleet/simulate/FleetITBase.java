package dev.kiln.fleet.simulate;

import dev.kiln.fleet.console.CommandFactory;
import dev.kiln.fleet.console.ConsoleConfig;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.RollbackPayload;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle the fleet ITs share: one {@link FleetTestBed} (broker, keys) per class, one console
 * per test in its own group. Subclasses close their devices in their own {@code @AfterEach}, which
 * JUnit runs before this class's, so devices leave before the console does.
 */
abstract class FleetITBase {
  static final Duration WAIT = FleetTestBed.WAIT;
  @TempDir static Path root;
  static FleetTestBed bed;

  FleetConsole console;
  ConsoleConfig consoleConfig;
  Path dir;
  String group;

  @BeforeAll
  static void startBed() throws Exception {
    bed = FleetTestBed.start(root);
  }

  @AfterAll
  static void stopBed() {
    if (bed != null) {
      bed.close();
    }
  }

  @BeforeEach
  void startConsole(TestInfo info) throws Exception {
    FleetTestBed.TestConsole c = bed.console(info);
    console = c.console();
    consoleConfig = c.config();
    dir = c.dir();
    group = c.group();
  }

  @AfterEach
  void stopConsole() {
    console.close();
  }

  /** A deploy of {@code artifact} to one device, signed by {@code signer}: console or attacker. */
  static byte[] signedDeploy(KeyPair signer, SimulatedDevice to, String id, ArtifactRef artifact) {
    DeployPayload p =
        new DeployPayload(
            "x",
            "mlp",
            "9",
            "primary",
            new DeployPayload.Artifact(artifact.sha256(), artifact.bytes(), null, 65536),
            new DeployPayload.Target("x86_64", "linux-x86_64", List.of()),
            List.of());
    return ProtocolJson.write(
        new CommandFactory(signer, 60_000)
            .create(id, DeployPayload.TYPE, to.id(), p, System.currentTimeMillis()));
  }

  /** A rollback of model {@code mlp} to {@code version}, signed by the console. */
  static byte[] signedRollback(SimulatedDevice to, String id, String version) {
    return ProtocolJson.write(
        new CommandFactory(bed.consoleKey, 60_000)
            .create(
                id,
                RollbackPayload.TYPE,
                to.id(),
                new RollbackPayload("x", "mlp", version, false),
                System.currentTimeMillis()));
  }
}
