package dev.kiln.cloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import dev.kiln.cloud.it.Fixtures;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataCommandTest {
  @TempDir Path tmp;
  private Path db;
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  @BeforeEach
  void populate() throws Exception {
    db = tmp.resolve("cloud.duckdb");
    List<CaptureRecord> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      CaptureRecord r = Fixtures.record(i);
      records.add(
          new CaptureRecord(
              1,
              r.id(),
              "dev-" + (i % 2),
              r.model(),
              r.version(),
              r.variant(),
              r.timestampMs(),
              r.latencyMs(),
              r.inputs(),
              r.outputs(),
              false,
              false));
    }
    try (CaptureStore s = CaptureStore.open(db)) {
      s.insertCaptures(records, "b1");
    }
  }

  private String run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new DataCommand());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setOut(new PrintWriter(out));
    cli.setExecutionExceptionHandler(
        (e, c, p) -> {
          failure.set(e);
          return e instanceof CloudException ce ? ce.code().exitCode() : 70;
        });
    int code = cli.execute(args);
    if (failure.get() == null) {
      assertThat(code).as("exit code of %s", List.of(args)).isZero();
    }
    return out.toString();
  }

  @Test
  void query_printsATableForPeople_andJsonForScripts() throws Exception {
    String table =
        run(
            "query",
            "--db",
            db.toString(),
            "SELECT device_id, count(*) AS n FROM captures GROUP BY 1 ORDER BY 1");
    assertThat(table).contains("device_id  n").contains("dev-0      20").contains("(2 rows)");

    String json =
        run("query", "--db", db.toString(), "--json", "SELECT count(*) AS n FROM captures");
    JsonNode arr = ProtocolJson.mapper().readTree(json);
    assertThat(arr.get(0).get("n").asLong()).isEqualTo(40);
  }

  @Test
  void stats_summarizesVolumeAndOutputs() throws Exception {
    String table = run("stats", "--db", db.toString(), "--model", "resnet");
    assertThat(table).contains("latency_p50_ms").contains("top_class");

    JsonNode o =
        ProtocolJson.mapper()
            .readTree(run("stats", "--db", db.toString(), "--model", "resnet", "--json"));
    long total = 0;
    for (JsonNode row : o.get("volume")) {
      total += row.get("records").asLong();
    }
    assertThat(total).isEqualTo(40);
    assertThat(o.get("outputs").size()).isPositive();
  }

  @Test
  void export_writesParquetAndCsv_filteredBySince() throws Exception {
    Path parquet = tmp.resolve("train.parquet");
    assertThat(
            run(
                "export",
                "--db",
                db.toString(),
                "--model",
                "resnet",
                "--format",
                "parquet",
                "-o",
                parquet.toString()))
        .contains("exported 40 records");
    assertThat(Files.size(parquet)).isPositive();
    String count =
        run(
            "query",
            "--db",
            db.toString(),
            "--json",
            "SELECT count(*) AS n FROM '" + parquet + "'");
    assertThat(ProtocolJson.mapper().readTree(count).get(0).get("n").asLong()).isEqualTo(40);

    Path csv = tmp.resolve("train.csv");
    assertThat(
            run(
                "export",
                "--db",
                db.toString(),
                "--model",
                "resnet",
                "--since",
                "2100-01-01",
                "--format",
                "csv",
                "-o",
                csv.toString()))
        .contains("exported 0 records");
    assertThat(Files.readAllLines(csv).get(0)).startsWith("id,device_id,model,version,variant,ts");
  }

  @Test
  void export_badSince_failsWithUsageCode() {
    run(
        "export",
        "--db",
        db.toString(),
        "--model",
        "resnet",
        "--since",
        "yesterday",
        "--format",
        "csv",
        "-o",
        tmp.resolve("x.csv").toString());
    assertThat(failure.get()).isInstanceOf(CloudException.class).hasMessageContaining("2026-01-31");
    assertThat(((CloudException) failure.get()).code()).isEqualTo(CloudErrorCode.USAGE);
  }

  @Test
  void query_missingDatabase_namesTheFix() {
    run("query", "--db", tmp.resolve("missing.duckdb").toString(), "SELECT 1");
    assertThat(failure.get()).hasMessageContaining("kiln cloud run");
    assertThat(((CloudException) failure.get()).code()).isEqualTo(CloudErrorCode.DB_OPEN_FAILED);
  }

  @Test
  void label_importsACsv_andQuality_countsLabelsThatMatchNoCapture() throws Exception {
    Path labels = tmp.resolve("labels.csv");
    Files.writeString(labels, "request_id,label\nnobody-1,2\nnobody-2,0\n");
    assertThat(run("label", "--db", db.toString(), "--file", labels.toString()))
        .contains("imported 2 labels")
        .contains("2 new");
    assertThat(run("label", "--db", db.toString(), "--file", labels.toString()))
        .contains("0 new, 2 already stored");
    assertThat(run("quality", "--db", db.toString(), "--model", "resnet"))
        .contains("version  labelled  accuracy")
        .contains("labels matching no capture: 2");

    run("quality", "--db", db.toString(), "--model", "resnet", "--by", "variant");
    assertThat(failure.get())
        .isInstanceOf(CloudException.class)
        .hasMessageContaining("--by is version or device");
    assertThat(((CloudException) failure.get()).code()).isEqualTo(CloudErrorCode.USAGE);
  }
}
