package dev.kiln.cloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.baseline.BaselineFiles;
import dev.kiln.cloud.cli.MonitorCommand;
import dev.kiln.cloud.monitor.Traffic;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.StoreLocation;
import dev.kiln.error.ExitCode;
import dev.kiln.link.protocol.ProtocolJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code kiln monitor baseline|check|status} end to end on a PostgreSQL store, as an operator runs
 * them against the database that {@code kiln cloud run} replicas fill: a baseline from the first
 * hour, a quiet check, a drifted one that stores its violations, and the status views (table, JSON
 * and Prometheus metrics) that read them back.
 */
class MonitorOnPostgresIT {
  private static final long MINUTE = 60_000;

  @TempDir Path tmp;

  private record Run(int exit, String out) {}

  private static Run monitor(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new MonitorCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    int exit = cli.execute(args);
    return new Run(exit, out.toString());
  }

  @Test
  void baselineCheckAndStatus_runOnPostgres_andReportTheDrift() throws Exception {
    StoreLocation where = SharedPostgres.newDatabase("monitor");
    String store = where.toString();
    long t0 = System.currentTimeMillis() - 3 * 60 * MINUTE;
    try (CaptureStore s = CaptureStore.open(where)) {
      Traffic.insertMinute(s, 1, 6_000, t0, 0);
      Traffic.insertMinute(s, 2, 2_000, t0 + 60 * MINUTE, 0);
      Traffic.insertMinute(s, 3, 2_000, t0 + 120 * MINUTE, 0.75);
    }
    Path baseline = tmp.resolve("baseline.json");
    Run built =
        monitor(
            "baseline",
            "--store",
            store,
            "--model",
            Traffic.MODEL,
            "--until",
            Instant.ofEpochMilli(t0 + 30 * MINUTE).toString(),
            "--out",
            baseline.toString());
    assertThat(built.exit()).as(built.out()).isZero();
    assertThat(BaselineFiles.read(baseline).records()).isEqualTo(6_000);

    Run quiet = check(store, baseline, t0 + 90 * MINUTE);
    assertThat(quiet.exit()).as(quiet.out()).isZero();
    assertThat(quiet.out()).contains("2000 records").contains("0 violations");

    Run drifted = check(store, baseline, t0 + 150 * MINUTE);
    assertThat(drifted.exit()).as(drifted.out()).isEqualTo(ExitCode.DRIFT_DETECTED.number());
    assertThat(drifted.out()).contains("x[2]").contains("YES");

    Run status = monitor("status", "--store", store, "--json");
    assertThat(status.exit()).as(status.out()).isZero();
    JsonNode rows = ProtocolJson.mapper().readTree(status.out());
    assertThat(rows.size()).isPositive();
    List<String> features = new ArrayList<>();
    rows.forEach(r -> features.add(r.get("feature").asText()));
    assertThat(features).contains("x[2]").allMatch(f -> f.equals("x[2]") || f.equals("output"));

    Run table = monitor("status", "--store", store, "--model", Traffic.MODEL);
    assertThat(table.exit()).as(table.out()).isZero();
    assertThat(table.out()).contains("measure").contains("x[2]").contains("psi");

    Run metrics = monitor("status", "--store", store, "--metrics");
    assertThat(metrics.exit()).as(metrics.out()).isZero();
    assertThat(metrics.out())
        .contains("# TYPE kiln_monitor_violations_total counter")
        .contains("kiln_monitor_violations_total{model=\"sensor\",scope=\"fleet\"")
        .contains("feature=\"x[2]\",measure=\"psi\"} 1\n");
  }

  private static Run check(String store, Path baseline, long untilMs) {
    return monitor(
        "check",
        "--store",
        store,
        "--baseline",
        baseline.toString(),
        "--window",
        "30m",
        "--until",
        Instant.ofEpochMilli(untilMs).toString());
  }
}
