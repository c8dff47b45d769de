package dev.kiln.cli.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.Comparison;
import dev.kiln.cloud.store.ComparisonQueries;
import dev.kiln.cloud.store.StoreLocation;
import dev.kiln.error.ExitCode;
import dev.kiln.error.KilnException;
import dev.kiln.fleet.postgres.PostgresFleetState;
import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.fleet.rollout.Strategy;
import dev.kiln.fleet.state.FleetState;
import dev.kiln.fleet.state.FleetStore;
import dev.kiln.json.JsonMappers;
import dev.kiln.table.TextTable;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln fleet compare DEPLOYMENT}: the new version against the old on the deployment's
 * devices, from captured predictions and heartbeats in the cloud store. Lives in the CLI, not in
 * the fleet module, because it reads the capture store that cloud-ingest writes; the console itself
 * never needs it.
 *
 * <p>With a DuckDB store (the default) the deployment comes from the console's files in {@code
 * --state-dir}; with a PostgreSQL store both come from that database, where replicas of {@code kiln
 * cloud run} keep captures and fleet state side by side.
 */
@Command(
    name = "compare",
    description = {
      "Compare the new version with the old for a deployment (shadow, A/B, or any other):",
      "predictions, p50/p95 latency and error rate per version, and how often they agree.",
      "Reads the store of `kiln cloud run` and the console's state directory."
    })
public final class CompareCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = JsonMappers.canonical();

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DEPLOYMENT", description = "Deployment id (see kiln fleet status)")
  String id;

  @Option(
      names = "--store",
      paramLabel = "STORE",
      description =
          "The store of `kiln cloud run`: duckdb:PATH (default: duckdb:kiln-cloud.duckdb) or"
              + " postgresql://HOST:PORT/DB?user=NAME, which also holds the deployment.")
  String store;

  @Option(
      names = "--db",
      paramLabel = "PATH",
      description = "DuckDB file written by `kiln cloud run`; the same as --store duckdb:PATH.")
  Path db;

  @Option(
      names = "--state-dir",
      defaultValue = "${sys:user.home}/.kiln/fleet",
      description = "Console state directory. Default: ${DEFAULT-VALUE}")
  Path stateDir;

  @Option(names = "--json", description = "Print JSON instead of tables")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    StoreLocation where;
    Deployment d;
    try {
      where = StoreLocation.choose(store, db);
      d = find(where);
    } catch (KilnException e) {
      err.println("error: " + e.getMessage());
      return e.code().exitCode();
    }
    if (where instanceof StoreLocation.DuckDb file && !Files.isRegularFile(file.file())) {
      err.println(
          "error: no cloud store at "
              + file.file()
              + "; run `kiln cloud run` while the deployment runs, or pass --store");
      return ExitCode.NOT_FOUND.number();
    }
    Comparison c;
    try (CaptureStore captures = CaptureStore.openReadOnly(where)) {
      c = compare(d, new ComparisonQueries(captures), System.currentTimeMillis());
    }
    if (json) {
      out.println(JSON.writeValueAsString(c));
    } else {
      out.print(render(c));
    }
    out.flush();
    return 0;
  }

  private Deployment find(StoreLocation where) {
    if (where instanceof StoreLocation.Postgres pg) {
      try (FleetState state = PostgresFleetState.forReading(PostgresUrl.parse(pg.uri()))) {
        return state.loadDeployment(id);
      }
    }
    return new FleetStore(stateDir).loadDeployment(id);
  }

  /**
   * The window runs from the deployment's start to now, since shadow and A/B variants keep serving
   * after their deployment succeeds; a rolled back or cancelled one stops at its end.
   */
  static Comparison compare(Deployment d, ComparisonQueries queries, long now) {
    TreeSet<String> versions = new TreeSet<>();
    versions.add(d.artifact().version());
    d.devices().values().stream()
        .map(DeviceRollout::previousVersion)
        .filter(Objects::nonNull)
        .forEach(versions::add);
    List<String> devices = new ArrayList<>(new TreeSet<>(d.devices().keySet()));
    long from = d.createdAt();
    boolean stillServing =
        !d.state().terminal()
            || d.state() == DeploymentState.SUCCEEDED
            || d.state() == DeploymentState.PARTIALLY_SUCCEEDED;
    long to =
        stillServing || d.history().isEmpty() ? now : d.history().get(d.history().size() - 1).at();
    return queries.compare(
        d.id(),
        d.strategy().text(),
        d.artifact().name(),
        d.artifact().version(),
        List.copyOf(versions),
        devices,
        from,
        to,
        d.strategy().kind() == Strategy.Kind.SHADOW);
  }

  static String render(Comparison c) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%s  %s@%s (%s) on %d devices, %s .. %s%n%n",
            c.deployment(),
            c.model(),
            c.newVersion(),
            c.strategy(),
            c.devices().size(),
            Instant.ofEpochMilli(c.from()),
            Instant.ofEpochMilli(c.to())));
    TextTable t =
        new TextTable(
            "VERSION",
            "ROLE",
            "PREDICTIONS",
            "P50 MS",
            "P95 MS",
            "REQUESTS",
            "ERRORS",
            "ERROR RATE",
            "TOP CLASS");
    for (Comparison.VersionStats v : c.versions()) {
      t.row(
          v.version() + (v.version().equals(c.newVersion()) ? " (new)" : ""),
          v.role(),
          v.predictions(),
          number(v.p50Ms(), "%.3f"),
          number(v.p95Ms(), "%.3f"),
          v.requests(),
          v.errors(),
          v.errorRate() == null ? null : String.format(Locale.ROOT, "%.2f%%", v.errorRate() * 100),
          v.topClass());
    }
    out.append(c.versions().isEmpty() ? "no captured predictions in this window\n" : t.render());
    out.append('\n');
    Comparison.Agreement a = c.agreement();
    if (a.rate() == null) {
      out.append(
          "Agreement: nothing to compare yet (needs captured predictions from both versions)\n");
    } else if (a.method().equals("same-requests")) {
      out.append(
          String.format(
              Locale.ROOT,
              "Agreement: the shadow predicts the same class as the serving version on %.1f%% of"
                  + " %d requests; mean |difference of the top score| %.3g%n",
              a.rate() * 100,
              a.pairs(),
              a.meanTopScoreDelta()));
    } else {
      out.append(
          String.format(
              Locale.ROOT,
              "Agreement: the versions served different requests; their mixes of predicted"
                  + " classes overlap %.1f%% (over at least %d predictions each)%n",
              a.rate() * 100,
              a.pairs()));
    }
    return out.toString();
  }

  private static String number(Double v, String format) {
    return v == null ? null : String.format(Locale.ROOT, format, v);
  }
}
