package dev.kiln.fleet.cli;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.console.ConsoleConfig;
import dev.kiln.fleet.identity.FleetCa;
import dev.kiln.fleet.identity.Provisioner;
import dev.kiln.fleet.postgres.PostgresFleetState;
import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.fleet.state.FileFleetState;
import dev.kiln.fleet.state.FleetState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import picocli.CommandLine.Option;

/** Options every fleet command shares: where the broker is and where the console keeps state. */
public final class ConsoleOptions {
  static final String DEFAULT_BROKER = "tcp://127.0.0.1:1883";

  @Option(
      names = "--broker",
      defaultValue = DEFAULT_BROKER,
      description =
          "MQTT broker URL (tcp://host:port or ssl://host:port). Default: ${DEFAULT-VALUE}")
  String broker;

  @Option(
      names = "--state-dir",
      defaultValue = "${sys:user.home}/.kiln/fleet",
      description =
          "Console state directory (devices, deployments, console key). Default: ${DEFAULT-VALUE}")
  Path stateDir;

  @Option(
      names = "--store",
      paramLabel = "STORE",
      description =
          "Where fleet state lives: files in --state-dir (the default), or"
              + " postgresql://USER@HOST:PORT/DATABASE, shared by console replicas (kiln fleet"
              + " serve on several hosts; the leader runs the console). The password may come"
              + " from PGPASSWORD.")
  String store;

  @Option(
      names = "--key",
      description =
          "Console signing key (Ed25519 PEM); its public half must sit beside it as"
              + " NAME.pub. Default: STATE-DIR/console.key, created on first use.")
  Path key;

  @Option(
      names = "--ca",
      description =
          "PEM CA for an ssl:// broker. Default: the fleet CA's copy in STATE-DIR/pki/console,"
              + " beside the console certificate `kiln fleet provision --console` issues.")
  Path ca;

  @Option(names = "--cert", description = "Console client certificate (PEM) for mutual TLS.")
  Path cert;

  @Option(names = "--cert-key", description = "Private key (PKCS#8 PEM) of --cert.")
  Path certKey;

  public String broker() {
    return broker;
  }

  public Path stateDir() {
    return stateDir;
  }

  /** The PostgreSQL store named by --store, or null for files. */
  public PostgresUrl postgres() {
    if (store == null || store.equals("files")) {
      return null;
    }
    return PostgresUrl.parse(store);
  }

  /** The fleet state for commands that read it (and queue requests to the console). */
  public FleetState reader() {
    PostgresUrl pg = postgres();
    return pg == null ? FileFleetState.forReading(stateDir) : PostgresFleetState.forReading(pg);
  }

  public Path keyFile() {
    return key != null ? key : stateDir.resolve("console.key");
  }

  public static Path publicFile(Path keyFile) {
    return Ed25519Keys.publicFileBeside(keyFile);
  }

  /** Reads the console key, creating it (and telling the user) on first use of the default. */
  KeyPair keyPair(PrintWriter out) {
    Path file = keyFile();
    Path pub = publicFile(file);
    if (!Files.exists(file) && key == null) {
      try {
        Files.createDirectories(stateDir);
        Ed25519Keys.writePair(Ed25519Keys.generate(), file, pub);
      } catch (IOException e) {
        throw new FleetException(FleetErrorCode.STATE_IO, "cannot create console key " + file, e);
      }
      out.println("created console key " + file + "; devices must trust " + pub);
    }
    if (!Files.exists(pub)) {
      throw new FleetException(
          FleetErrorCode.CONFIG_INVALID,
          "console key " + file + " has no public half at " + pub + "; put it there");
    }
    return new KeyPair(Ed25519Keys.readPublic(pub), Ed25519Keys.readPrivate(file));
  }

  /** The console settings these options name (creating the default key on first use). */
  public ConsoleConfig config(PrintWriter out) {
    return ConsoleConfig.defaults(broker, stateDir, keyPair(out)).withTls(tls());
  }

  /**
   * The files given, or on an ssl:// broker the console identity provisioned into the state dir;
   * null on a tcp:// broker.
   */
  ConsoleConfig.Tls tls() {
    if (ca != null || cert != null || certKey != null) {
      return new ConsoleConfig.Tls(ca, cert, certKey);
    }
    Path dir = Provisioner.consoleDir(stateDir);
    if (!broker.startsWith("ssl://") || !Files.exists(dir.resolve(Provisioner.CONSOLE_CERT))) {
      return null;
    }
    return new ConsoleConfig.Tls(
        dir.resolve(FleetCa.CERT_FILE),
        dir.resolve(Provisioner.CONSOLE_CERT),
        dir.resolve(Provisioner.CONSOLE_KEY));
  }
}
