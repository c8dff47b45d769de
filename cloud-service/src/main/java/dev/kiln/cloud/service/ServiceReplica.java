package dev.kiln.cloud.service;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.service.api.ApiServer;
import dev.kiln.cloud.service.api.LeaderRelay;
import dev.kiln.cloud.service.auth.PostgresTokenStore;
import dev.kiln.cloud.service.deploy.Deployments;
import dev.kiln.cloud.service.deploy.FleetReadiness;
import dev.kiln.cloud.service.deploy.PostgresArtifactCatalog;
import dev.kiln.cloud.service.deploy.RequestRunner;
import dev.kiln.cloud.service.inbox.InboxWorker;
import dev.kiln.cloud.service.inbox.PostgresInbox;
import dev.kiln.cloud.service.postgres.ReplicaDirectory;
import dev.kiln.cloud.service.postgres.ReplicaHousekeeping;
import dev.kiln.fleet.console.ConsoleConfig;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.postgres.LeaderLease;
import dev.kiln.fleet.postgres.PostgresFleetState;
import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.fleet.replica.ConsoleReplica;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.server.Handler;

/**
 * The fleet side of one {@code kiln cloud run --store postgresql://...} replica. Every replica
 * ingests (the shared subscription, in {@link CloudService}) and serves the API; reads of captured
 * data, monitoring and the audit log are answered from PostgreSQL on any replica. One replica
 * leads, through the console's lease ({@link ConsoleReplica}): only it runs the fleet console, the
 * inbox worker and the routes that need the live console. A follower forwards those calls to the
 * leader's API ({@link LeaderRelay}), found through {@link ReplicaDirectory}. Inbox, tokens, fleet
 * state and audit log live in the shared PostgreSQL, so a new leader picks up every request still
 * queued.
 */
final class ServiceReplica implements ConsoleReplica.Listener, AutoCloseable {
  /**
   * Ten leases: a replica unseen that long was stopped or killed (a live one marks itself seen
   * every {@link ConsoleReplica#RENEW}), so the leader removes its row of {@code service_replicas}.
   */
  static final Duration REPLICA_RETENTION = ConsoleReplica.LEASE.multipliedBy(10);

  private final PostgresInbox inbox;
  private final PostgresArtifactCatalog artifacts;
  private final PostgresTokenStore tokens;
  private final boolean inboxPaused;
  private final ReplicaDirectory directory;
  private final PostgresFleetState auditLog;
  private ConsoleReplica replica;
  private ApiServer api;
  private ReplicaHousekeeping housekeeping;

  // The current leadership term; null while following.
  private volatile FleetConsole console;
  private InboxWorker worker;

  private ServiceReplica(
      PostgresInbox inbox,
      PostgresArtifactCatalog artifacts,
      PostgresTokenStore tokens,
      boolean inboxPaused,
      ReplicaDirectory directory,
      PostgresFleetState auditLog) {
    this.inbox = inbox;
    this.artifacts = artifacts;
    this.tokens = tokens;
    this.inboxPaused = inboxPaused;
    this.directory = directory;
    this.auditLog = auditLog;
  }

  /**
   * Opens the shared tables, starts the API (following), registers its address and starts taking
   * part in the leader election. {@code advertised}: the API base URL other replicas reach this one
   * at, or null for {@code http://BIND:PORT/api/v1} (this host's name when bound to every address).
   */
  static ServiceReplica start(
      CloudService cloud,
      ConsoleConfig config,
      PostgresUrl url,
      PostgresTokenStore tokens,
      String apiBind,
      int apiPort,
      String advertised,
      boolean inboxPaused,
      Handler web,
      PrintWriter out)
      throws IOException {
    ServiceReplica r =
        new ServiceReplica(
            PostgresInbox.open(url),
            PostgresArtifactCatalog.open(url),
            tokens,
            inboxPaused,
            ReplicaDirectory.open(url),
            PostgresFleetState.forReading(url));
    try {
      r.replica = new ConsoleReplica(config, url, out, r);
      LeaderRelay relay =
          new LeaderRelay(
              () -> r.directory.leader().map(l -> new LeaderRelay.Leader(l.holder(), l.apiUrl())),
              r.replica.holder());
      r.api =
          new ApiServer(
              apiBind,
              apiPort,
              ApiRoutes.anyReplica(cloud, r.artifacts, r.auditLog),
              tokens,
              new ConsoleCallAudit(() -> r.console),
              web,
              relay);
      r.api.start();
      String self = advertised != null ? advertised : apiUrl(apiBind, r.api.port());
      String key = Ed25519Keys.keyId(config.consoleKey().getPublic());
      List<String> otherKeys = r.directory.register(r.replica.holder(), self, key);
      out.println(
          "kiln cloud: replica "
              + r.replica.holder()
              + " serves its API at "
              + self
              + " and signs with console key "
              + key);
      if (!otherKeys.isEmpty()) {
        // Devices trust one console key: commands from a leader with another are refused.
        out.println(
            "kiln cloud: WARNING: other replicas of this service signed with console key(s) "
                + otherKeys
                + " in the last day, this one with "
                + key
                + "; every replica needs the same STATE/console.key and .pub (docs/scale.md,"
                + " \"Cloud service replicas\")");
      }
      out.flush();
      r.housekeeping =
          new ReplicaHousekeeping(
                  r.directory,
                  r.replica.holder(),
                  self,
                  key,
                  () -> r.console != null,
                  REPLICA_RETENTION,
                  out)
              .start(ConsoleReplica.RENEW);
      r.replica.start();
      return r;
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
  }

  private static String apiUrl(String bind, int port) throws IOException {
    String host =
        bind.equals("0.0.0.0") || bind.equals("::") || bind.isEmpty()
            ? InetAddress.getLocalHost().getHostName()
            : bind;
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + ApiServer.BASE;
  }

  @Override
  public synchronized void leading(FleetConsole console, LeaderLease.Fence fence) {
    RequestRunner runner = new RequestRunner(console, artifacts);
    InboxWorker w =
        new InboxWorker(
            inbox,
            r -> {
              runner.execute(r);
              if (console.fenced()) {
                // Its write was refused: a newer leader holds the lease and will run it.
                throw new InboxWorker.NotRun("this replica's console was fenced by a newer leader");
              }
            },
            inboxPaused,
            new FleetReadiness(console),
            ConsoleReplica.RENEW);
    // Starting replays every request still QUEUED, whichever replica's API accepted it; the
    // rescan picks up one a replica appended while losing the lead.
    w.start();
    worker = w;
    this.console = console;
    api.lead(
        ApiRoutes.leaderOnly(
            console, tokens, new Deployments(console, inbox, w, artifacts), artifacts));
  }

  @Override
  public synchronized void following() {
    api.lead(null);
    console = null;
    if (worker != null) {
      worker.close();
      worker = null;
    }
  }

  ApiServer api() {
    return api;
  }

  /** The console while this replica leads, else null. */
  FleetConsole console() {
    return console;
  }

  @Override
  public void close() {
    if (housekeeping != null) {
      housekeeping.close();
    }
    try {
      if (api != null) {
        api.close();
      }
    } finally {
      try {
        if (replica != null) {
          replica.close(); // stops leading first: worker and leader routes, then the console
        }
      } finally {
        inbox.close();
        artifacts.close();
        directory.close();
        auditLog.close();
        tokens.close();
      }
    }
  }
}
