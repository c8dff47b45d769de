package dev.kiln.cloud.service;

import dev.kiln.artifact.AtomicFiles;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.service.api.ApiServer;
import dev.kiln.cloud.service.api.Route;
import dev.kiln.cloud.service.auth.PostgresTokenStore;
import dev.kiln.cloud.service.auth.TokenStore;
import dev.kiln.cloud.service.deploy.ArtifactCatalog;
import dev.kiln.cloud.service.deploy.Deployments;
import dev.kiln.cloud.service.deploy.FileArtifactCatalog;
import dev.kiln.cloud.service.deploy.FleetReadiness;
import dev.kiln.cloud.service.deploy.RequestRunner;
import dev.kiln.cloud.service.inbox.FileInbox;
import dev.kiln.cloud.service.inbox.Inbox;
import dev.kiln.cloud.service.inbox.InboxWorker;
import dev.kiln.files.OwnerOnly;
import dev.kiln.fleet.console.ConsoleConfig;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.identity.FleetCa;
import dev.kiln.fleet.identity.Provisioner;
import dev.kiln.fleet.postgres.PostgresUrl;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.eclipse.jetty.server.Handler;

/**
 * What {@code kiln cloud run} runs in one process: the capture store and ingestor (and the embedded
 * broker unless an external one is named), the fleet console with its one device registry, the
 * durable inbox of deploy, cancel and rollback requests with the worker that hands them to the
 * console, and the HTTP API. Closing stops them in reverse order.
 *
 * <p>With {@link Replication} (a PostgreSQL store) it is one of several replicas of one service:
 * capture store, fleet state, inbox and tokens are shared in PostgreSQL, and the console runs on
 * the replica that holds the leader lease ({@link ServiceReplica}).
 */
public final class CloudHost implements AutoCloseable {
  public static final String API_PORT_FILE = "api.port";
  public static final String CONSOLE_KEY = "console.key";

  /**
   * @param stateDir the console's state (devices, deployments, audit log, console key), the inbox,
   *     the tokens and {@code api.port}
   * @param apiPort 0 picks a free port; the chosen one is printed and written to {@code
   *     STATE/api.port}
   * @param inboxPaused accept requests into the inbox but run none (maintenance, and the restart
   *     test that kills the service with a request still queued)
   * @param web the web console's static files, served outside {@code /api/v1}; null for none
   */
  public record Settings(
      CloudService.Options cloud,
      Path stateDir,
      String apiBind,
      int apiPort,
      boolean inboxPaused,
      Handler web) {}

  /**
   * Runs as a replica of one service on a shared PostgreSQL.
   *
   * @param apiUrl the API base URL other replicas reach this one at (ending in /api/v1); null for
   *     {@code http://API-BIND:PORT/api/v1}
   */
  public record Replication(PostgresUrl store, String apiUrl) {}

  private final CloudService cloud;
  private final FleetConsole console;
  private final InboxWorker worker;
  private final ApiServer api;
  private final Path stateDir;
  private final ServiceReplica replica;

  private CloudHost(
      CloudService cloud, FleetConsole console, InboxWorker worker, ApiServer api, Path stateDir) {
    this.cloud = cloud;
    this.console = console;
    this.worker = worker;
    this.api = api;
    this.stateDir = stateDir;
    this.replica = null;
  }

  private CloudHost(CloudService cloud, ServiceReplica replica, Path stateDir) {
    this.cloud = cloud;
    this.console = null;
    this.worker = null;
    this.api = replica.api();
    this.stateDir = stateDir;
    this.replica = replica;
  }

  /** Starts one replica of a service whose state is shared in PostgreSQL. */
  public static CloudHost start(Settings s, Replication r, PrintWriter out) throws IOException {
    OwnerOnly.createDirectories(s.stateDir());
    PostgresTokenStore tokens = PostgresTokenStore.open(r.store(), s.stateDir());
    CloudService cloud = null;
    try {
      Path admin = tokens.createFirstAdmin();
      if (admin != null) {
        out.println("kiln cloud: created the first admin API token in " + admin + " (owner-only)");
      }
      cloud = CloudService.start(s.cloud());
      ServiceReplica replica =
          ServiceReplica.start(
              cloud,
              consoleConfig(s, cloud, out, true),
              r.store(),
              tokens,
              s.apiBind(),
              s.apiPort(),
              r.apiUrl(),
              s.inboxPaused(),
              s.web(),
              out);
      writeApiPort(s.stateDir(), replica.api().port());
      return new CloudHost(cloud, replica, s.stateDir());
    } catch (IOException | RuntimeException e) {
      if (cloud != null) {
        cloud.close();
      }
      tokens.close();
      throw e;
    }
  }

  private static void writeApiPort(Path stateDir, int port) throws IOException {
    AtomicFiles.write(
        stateDir.resolve(API_PORT_FILE), (port + "\n").getBytes(StandardCharsets.UTF_8));
  }

  public static CloudHost start(Settings s, PrintWriter out) throws IOException {
    OwnerOnly.createDirectories(s.stateDir());
    TokenStore tokens = TokenStore.open(s.stateDir());
    Path admin = tokens.createFirstAdmin();
    if (admin != null) {
      out.println("kiln cloud: created the first admin API token in " + admin + " (owner-only)");
    }
    CloudService cloud = CloudService.start(s.cloud());
    FleetConsole console = null;
    InboxWorker worker = null;
    ApiServer api = null;
    try {
      console = new FleetConsole(consoleConfig(s, cloud, out, false));
      console.start();
      FleetConsole finalConsole = console;
      ArtifactCatalog artifacts = new FileArtifactCatalog(s.stateDir());
      Inbox inbox = FileInbox.open(s.stateDir());
      worker =
          new InboxWorker(
              inbox,
              new RequestRunner(console, artifacts),
              s.inboxPaused(),
              new FleetReadiness(console));
      worker.start();
      Deployments deployments = new Deployments(console, inbox, worker, artifacts);
      List<Route> routes =
          ApiRoutes.all(console, cloud, s.stateDir(), tokens, deployments, artifacts);
      api =
          new ApiServer(
              s.apiBind(),
              s.apiPort(),
              routes,
              tokens,
              new ConsoleCallAudit(() -> finalConsole),
              s.web());
      api.start();
      writeApiPort(s.stateDir(), api.port());
      return new CloudHost(cloud, console, worker, api, s.stateDir());
    } catch (IOException | RuntimeException e) {
      if (api != null) {
        api.close();
      }
      if (worker != null) {
        worker.close();
      }
      if (console != null) {
        console.close();
      }
      cloud.close();
      throw e;
    }
  }

  /**
   * The console on the service's broker. With the embedded mutual-TLS broker it connects with the
   * console identity {@code kiln fleet provision --console} put into the state dir.
   */
  private static ConsoleConfig consoleConfig(
      Settings s, CloudService cloud, PrintWriter out, boolean replica) {
    ConsoleConfig c =
        ConsoleConfig.defaults(
                cloud.brokerUrl(), s.stateDir(), consoleKey(s.stateDir(), out, replica))
            .withClientId("kiln-console-" + Math.abs(s.stateDir().toAbsolutePath().hashCode()));
    Path pki = Provisioner.consoleDir(s.stateDir());
    if (cloud.brokerUrl().startsWith("ssl://")
        && Files.exists(pki.resolve(Provisioner.CONSOLE_CERT))) {
      c =
          c.withTls(
              new ConsoleConfig.Tls(
                  pki.resolve(FleetCa.CERT_FILE),
                  pki.resolve(Provisioner.CONSOLE_CERT),
                  pki.resolve(Provisioner.CONSOLE_KEY)));
    }
    return c;
  }

  /**
   * STATE/console.key, created on first start; devices must trust its public half. Replicas of one
   * service must all sign with the same key, so a replica that has none says what to copy where.
   */
  static KeyPair consoleKey(Path stateDir, PrintWriter out, boolean replica) {
    Path file = stateDir.resolve(CONSOLE_KEY);
    Path pub = Ed25519Keys.publicFileBeside(file);
    try {
      if (!Files.exists(file)) {
        Ed25519Keys.writePair(Ed25519Keys.generate(), file, pub);
        out.println("kiln cloud: created console key " + file + "; devices must trust " + pub);
        if (replica) {
          out.println(
              "kiln cloud: every replica of this service must sign with the same console key:"
                  + " copy "
                  + file
                  + " and "
                  + pub
                  + " into each replica's --state-dir before it starts (docs/scale.md, \"Cloud"
                  + " service replicas\")");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the console key " + file, e);
    }
    return new KeyPair(Ed25519Keys.readPublic(pub), Ed25519Keys.readPrivate(file));
  }

  public CloudService cloud() {
    return cloud;
  }

  /** The fleet console; on a replica, the one it runs while it leads, else null. */
  public FleetConsole console() {
    return replica != null ? replica.console() : console;
  }

  public int apiPort() {
    return api.port();
  }

  public String apiUrl() {
    return "http://" + api.address().getHostString() + ":" + api.port() + ApiServer.BASE;
  }

  public List<Route> routes() {
    return api.routes();
  }

  public Path stateDir() {
    return stateDir;
  }

  @Override
  public void close() {
    if (replica != null) {
      try {
        replica.close();
      } finally {
        cloud.close();
      }
      return;
    }
    try {
      api.close();
      worker.close();
    } finally {
      try {
        console.close();
      } finally {
        cloud.close();
      }
    }
  }
}
