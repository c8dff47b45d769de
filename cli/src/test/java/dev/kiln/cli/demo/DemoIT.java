package dev.kiln.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.cli.CliRun;
import dev.kiln.cloud.store.CaptureStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job, run as a user runs it: a real compile, the embedded broker and ingestor,
 * and a real agent process, ending with every prediction captured in DuckDB exactly once.
 */
class DemoIT {
  @TempDir Path tmp;

  @Test
  void demo_compilesServesAndCapturesEveryPrediction() throws Exception {
    Path dir = tmp.resolve("demo");

    CliRun run = CliRun.of("demo", "--dir", dir.toString(), "--requests", "25");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("25 answered")
        .contains("25 of 25 predictions captured")
        .contains("demo-device-1");
    try (CaptureStore store = CaptureStore.openReadOnly(dir.resolve("cloud.duckdb"))) {
      long rows =
          store.read(
              c -> {
                try (var rs =
                    c.createStatement()
                        .executeQuery("SELECT count(*), count(DISTINCT id) FROM captures")) {
                  rs.next();
                  assertThat(rs.getLong(2)).isEqualTo(rs.getLong(1));
                  return rs.getLong(1);
                }
              });
      assertThat(rows).isEqualTo(25);
    }
  }
}
