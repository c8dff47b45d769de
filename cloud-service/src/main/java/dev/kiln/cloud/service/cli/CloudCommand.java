package dev.kiln.cloud.service.cli;

import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.artifact.baseline.BaselineFiles;
import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.broker.BrokerTls;
import dev.kiln.cloud.cli.MonitorCommand;
import dev.kiln.cloud.ingest.IngestStats;
import dev.kiln.cloud.monitor.Monitor;
import dev.kiln.cloud.monitor.MonitorLoop;
import dev.kiln.cloud.monitor.Scope;
import dev.kiln.cloud.monitor.WindowLength;
import dev.kiln.cloud.service.CloudHost;
import dev.kiln.cloud.service.console.ConsoleFiles;
import dev.kiln.cloud.store.StoreLocation;
import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.link.protocol.Topics;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln cloud}: the cloud service (capture, fleet console, API) and its tokens. */
@Command(
    name = "cloud",
    mixinStandardHelpOptions = true,
    description =
        "Run the cloud service: MQTT broker (embedded unless --broker), capture ingestor, fleet"
            + " console and HTTP API.",
    subcommands = {CloudCommand.Run.class, TokenCommand.class})
public final class CloudCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Run the cloud service until interrupted: ingest device capture, status and heartbeats"
            + " into the store (DuckDB, or PostgreSQL shared by replicas), run the fleet console on"
            + " --state-dir and serve the HTTP API and web console (docs/cloud-service.md).",
        "Without --broker, starts an embedded MQTT 5 broker on --bind:--port: plain and"
            + " anonymous on loopback (the default), or with --tls DIR mutual TLS and per-device"
            + " topic ACLs, which any other --bind address requires.",
        "Several ingestors with different --client-id share capture (MQTT 5 shared subscription)."
      })
  static final class Run implements Callable<Integer> {
    private static final java.time.Duration EXTERNAL_READY_WAIT = java.time.Duration.ofSeconds(30);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--broker",
        description = "External MQTT 5 broker, tcp://host:1883 or ssl://host:8883.")
    String broker;

    @Option(
        names = "--store",
        paramLabel = "STORE",
        description =
            "Where captures go: duckdb:PATH (one process) or postgresql://HOST:PORT/DB?user=NAME,"
                + " shared by replicas (default: duckdb:kiln-cloud.duckdb).")
    String store;

    @Option(
        names = "--db",
        paramLabel = "PATH",
        description = "DuckDB file; the same as --store duckdb:PATH.")
    Path db;

    @Option(
        names = "--port",
        defaultValue = "1883",
        description = "Embedded broker port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
        names = "--bind",
        defaultValue = "127.0.0.1",
        description =
            "Embedded broker address (default: ${DEFAULT-VALUE}); a non-loopback address needs"
                + " --tls.")
    String bind;

    @Option(
        names = "--tls",
        paramLabel = "DIR",
        description =
            "Embedded broker with mutual TLS and per-device ACLs, from the folder `kiln fleet"
                + " provision --broker-host HOST` writes (OUT/broker).")
    Path tlsDir;

    @Option(
        names = "--broker-data",
        description = "Embedded broker state folder (default: DB file name + .broker).")
    Path brokerData;

    @Option(
        names = "--client-id",
        description =
            "Ingestor MQTT client id; stable per ingestor (default: kiln-ingest-HOSTNAME).")
    String clientId;

    @Option(
        names = "--share-group",
        defaultValue = Topics.INGEST_GROUP,
        description =
            "Shared-subscription group of the ingestors on an external --broker (default:"
                + " ${DEFAULT-VALUE}); the embedded broker's single ingestor takes all capture.")
    String shareGroup;

    @Option(
        names = "--no-share",
        description = "Subscribe to all capture without a shared subscription (a single ingestor).")
    boolean noShare;

    @Option(names = "--username", description = "MQTT user name.")
    String username;

    @Option(
        names = "--password",
        interactive = true,
        arity = "0..1",
        description = "MQTT password (prompted if no value).")
    char[] password;

    @Option(names = "--ca", description = "PEM CA file for ssl:// brokers.")
    Path ca;

    @Option(names = "--cert", description = "PEM client certificate for mutual TLS.")
    Path cert;

    @Option(names = "--key", description = "PEM private key for mutual TLS.")
    Path key;

    @Option(
        names = "--monitor",
        description =
            "Run drift checks in the ingestor, against each --baseline (docs/monitoring.md).")
    boolean monitor;

    @Option(
        names = "--baseline",
        paramLabel = "FILE",
        description = "A baseline.json to check its model against; repeat for several models.")
    List<Path> baselines;

    @Option(
        names = "--monitor-interval",
        defaultValue = "1m",
        description = "Time between drift checks (default: ${DEFAULT-VALUE}).")
    String monitorInterval;

    @Option(
        names = "--monitor-window",
        defaultValue = "10m",
        description = "Captures each check looks back over (default: ${DEFAULT-VALUE}).")
    String monitorWindow;

    @CommandLine.Mixin MonitorCommand.ThresholdOptions limits;

    @Option(
        names = {"--state-dir", "--state"},
        paramLabel = "DIR",
        defaultValue = "${sys:user.home}/.kiln/fleet",
        description =
            "Service state: the fleet console's devices, deployments, audit log and key, the"
                + " request inbox, the API tokens and api.port. The same default as the kiln fleet"
                + " commands, which find the service there (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(
        names = "--api-bind",
        defaultValue = "127.0.0.1",
        description = "HTTP API address (default: ${DEFAULT-VALUE}).")
    String apiBind;

    @Option(
        names = "--api-port",
        defaultValue = "8480",
        description =
            "HTTP API port (default: ${DEFAULT-VALUE}); 0 picks a free one, written to"
                + " STATE/api.port.")
    int apiPort;

    @Option(
        names = "--api-url",
        paramLabel = "URL",
        description =
            "With a PostgreSQL --store: this replica's API as the other replicas reach it, e.g."
                + " http://10.0.0.5:8480/api/v1 (default: http://API-BIND:PORT/api/v1, this host's"
                + " name when --api-bind is 0.0.0.0).")
    String apiUrl;

    @Option(
        names = "--inbox-paused",
        hidden = true,
        description = "Queue deploy, cancel and rollback requests but run none (maintenance).")
    boolean inboxPaused;

    @Override
    public Integer call() throws Exception {
      MonitorLoop.Settings monitorSettings = monitorSettings();
      if (tlsDir != null && broker != null) {
        throw new CloudException(
            CloudErrorCode.USAGE,
            "--tls configures the embedded broker; with --broker use --ca, --cert and --key");
      }
      String id = clientId != null ? clientId : "kiln-ingest-" + hostname();
      StoreLocation location = StoreLocation.choose(store, db);
      Path dataDir = brokerData != null ? brokerData : defaultBrokerData(location);
      CloudService.Options o =
          new CloudService.Options(
              broker,
              location,
              bind,
              port,
              dataDir,
              true,
              id,
              noShare ? null : shareGroup,
              t -> {
                if (username != null) {
                  t.credentials(username, password);
                }
                if (ca != null || cert != null) {
                  t.tls(ca, cert, key);
                }
              },
              tlsDir == null ? null : BrokerTls.fromDir(tlsDir));
      var out = spec.commandLine().getOut();
      CountDownLatch stop = new CountDownLatch(1);
      CountDownLatch stopped = new CountDownLatch(1);
      Path state = stateDir;
      CloudHost.Settings settings =
          new CloudHost.Settings(o, state, apiBind, apiPort, inboxPaused, new ConsoleFiles());
      CloudHost.Replication replication =
          location instanceof StoreLocation.Postgres pg
              ? new CloudHost.Replication(PostgresUrl.parse(pg.uri()), apiUrl)
              : null;
      if (replication == null && apiUrl != null) {
        throw new CloudException(
            CloudErrorCode.USAGE,
            "--api-url is for replicas on a PostgreSQL --store; a DuckDB store has one service");
      }
      try (CloudHost host =
          replication != null
              ? CloudHost.start(settings, replication, out)
              : CloudHost.start(settings, out)) {
        CloudService service = host.cloud();
        out.printf(
            "kiln cloud: %s broker %s, ingesting into %s as %s (Ctrl-C to stop)%n",
            service.embeddedBroker()
                ? (tlsDir != null ? "embedded mutual-TLS" : "embedded")
                : "external",
            service.embeddedBroker() ? bind + ":" + port : broker,
            location instanceof StoreLocation.DuckDb d ? d.file().toAbsolutePath() : location,
            id);
        if (replication != null) {
          out.printf(
              "kiln cloud: replica of the service on %s: fleet console while it holds the leader"
                  + " lease; API on %s (state: %s)%n",
              replication.store(), host.apiUrl(), state.toAbsolutePath());
        } else {
          out.printf(
              "kiln cloud: fleet console on %s; API on %s (token: %s)%n",
              state.toAbsolutePath(), host.apiUrl(), state.resolve("admin.token").toAbsolutePath());
        }
        out.printf("kiln cloud: web console on http://%s:%d/%n", apiBind, host.apiPort());
        out.flush();
        if (!service.embeddedBroker()) {
          // Replicas and scripts wait for this line: capture published to a shared subscription
          // before anyone holds it is dropped by the broker.
          if (service.ingestor().awaitReady(EXTERNAL_READY_WAIT)) {
            out.printf("kiln cloud: subscribed to capture on %s%n", broker);
          } else {
            out.printf(
                "kiln cloud: not yet subscribed to %s after %d s; retrying in the background%n",
                broker, EXTERNAL_READY_WAIT.toSeconds());
          }
          out.flush();
        }
        if (monitorSettings != null) {
          service.startMonitor(monitorSettings, outcome -> printCheck(out, outcome));
          out.printf(
              "kiln cloud: drift checks of %s every %s over the last %s%n",
              monitorSettings.baselines().stream().map(Baseline::model).toList(),
              monitorInterval,
              monitorWindow);
          out.flush();
        }
        // The JVM halts when hooks return, so the hook waits until the store is closed cleanly.
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      stop.countDown();
                      try {
                        stopped.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    },
                    "kiln-cloud-stop"));
        IngestStats last = service.ingestor().stats();
        while (!stop.await(10, TimeUnit.SECONDS)) {
          IngestStats now = service.ingestor().stats();
          if (!now.equals(last)) {
            print(out, "ingesting", now);
            last = now;
          }
        }
        service.ingestor().close();
        print(out, "stopped", service.ingestor().stats());
      } finally {
        stopped.countDown();
      }
      return 0;
    }

    /** Beside the DuckDB file; for a PostgreSQL store, in the working folder. */
    private static Path defaultBrokerData(StoreLocation location) {
      return location instanceof StoreLocation.DuckDb d
          ? Path.of(d.file() + ".broker")
          : Path.of(StoreLocation.DEFAULT_FILE + ".broker");
    }

    /** Read and checked before anything starts, so a bad option costs no broker start-up. */
    private MonitorLoop.Settings monitorSettings() {
      if (!monitor) {
        if (baselines != null) {
          throw new CloudException(CloudErrorCode.USAGE, "--baseline needs --monitor");
        }
        return null;
      }
      if (baselines == null || baselines.isEmpty()) {
        throw new CloudException(
            CloudErrorCode.USAGE,
            "--monitor needs at least one --baseline FILE (from `kiln monitor baseline`)");
      }
      List<Baseline> read = new ArrayList<>();
      for (Path p : baselines) {
        Baseline b = BaselineFiles.readFileOrArtifact(p);
        Topics.driftAlert(b.model());
        read.add(b);
      }
      return new MonitorLoop.Settings(
          read,
          WindowLength.parse("--monitor-interval", monitorInterval),
          WindowLength.parse("--monitor-window", monitorWindow),
          limits.thresholds(),
          EnumSet.allOf(Scope.class));
    }

    private static void printCheck(java.io.PrintWriter out, Monitor.Outcome o) {
      if (o.report().drifted()) {
        out.printf(
            "kiln cloud: drift in %s: %d violations over %d records (see kiln monitor status);"
                + " %d alerts published (%d with no subscriber), %d failed%n",
            o.report().model(),
            o.stored(),
            o.report().records(),
            o.published(),
            o.unheard(),
            o.unpublished());
        out.flush();
      }
    }

    private static void print(java.io.PrintWriter out, String what, IngestStats s) {
      out.printf(
          "kiln cloud: %s; %d batches, %d records (%d new, %d duplicates), %d heartbeats,"
              + " %d rejected, %d ignored (forged or future-dated)%n",
          what,
          s.batches(),
          s.records(),
          s.inserted(),
          s.duplicates(),
          s.heartbeats(),
          s.rejected(),
          s.ignored());
      out.flush();
    }

    private static String hostname() {
      try {
        return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
      } catch (java.io.IOException e) {
        return "local";
      }
    }
  }
}
