package dev.kiln.cli.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.link.protocol.BenchmarkPayload.Config;
import dev.kiln.link.protocol.BenchmarkReport;
import dev.kiln.link.protocol.BenchmarkReport.Row;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecommenderTest {
  static Row row(String version, Config c, double p95, double rps) {
    return new Row("cnn", version, "fp32", c, 1000, 0, 1, p95 / 2, p95, p95 * 2, rps, 100, 0, null);
  }

  private static final Row LONE = row("1", new Config(1, 1, 1, 1), 0.4, 2_000);
  private static final Row LOADED = row("1", new Config(1, 2, 1, 8), 3.0, 9_000);
  private static final Row BATCHED = row("1", new Config(1, 2, 16, 8), 6.0, 12_000);
  private static final Row SKIPPED =
      new Row("cnn", "1", "fp32", new Config(2, 2, 1, 8), 0, 0, 0, 0, 0, 0, 0, 0, 0, "over");
  private static final Row FAILING =
      new Row("cnn", "1", "fp32", new Config(1, 1, 1, 8), 10, 3, 1, 0.1, 0.1, 0.1, 1e6, 1, 0, null);
  private static final List<Row> ROWS = List.of(LONE, LOADED, BATCHED, SKIPPED, FAILING);

  @Test
  void maxThroughput_picksTheFastestMeasuredRow_neverOneWithFailures() {
    assertThat(Recommender.choose(ROWS, Objective.MAX_THROUGHPUT)).contains(BATCHED);
  }

  @Test
  void maxP95_picksTheFastestRowUnderTheBound() {
    assertThat(Recommender.choose(ROWS, Objective.maxP95(5))).contains(LOADED);
    assertThat(Recommender.choose(ROWS, Objective.maxP95(3.0))).as("inclusive").contains(LOADED);
    assertThat(Recommender.choose(ROWS, Objective.maxP95(1))).contains(LONE);
  }

  @Test
  void aBoundNoRowMeets_recommendsNothing_andNamesTheLowestP95() {
    assertThat(Recommender.choose(ROWS, Objective.maxP95(0.1))).isEmpty();
    assertThat(Recommender.lowestP95(ROWS)).contains(LONE);
  }

  @Test
  void ties_goToTheLowerP95_thenToFewerThreads() {
    Row slowTail = row("1", new Config(1, 1, 1, 8), 5, 9_000);
    Row fastTail = row("1", new Config(2, 1, 1, 8), 4, 9_000);
    Row cheaper = row("1", new Config(1, 1, 1, 4), 4, 9_000);
    assertThat(Recommender.choose(List.of(slowTail, fastTail, cheaper), Objective.MAX_THROUGHPUT))
        .contains(cheaper);
  }

  @Test
  void theRecommendation_isConsistentWithEveryMeasuredRow() {
    Row best = Recommender.choose(ROWS, Objective.maxP95(5)).orElseThrow();
    for (Row r : ROWS) {
      if (r.measured() && r.errors() == 0 && r.p95Ms() <= 5) {
        assertThat(best.throughput()).isGreaterThanOrEqualTo(r.throughput());
      }
    }
    assertThat(best.p95Ms()).isLessThanOrEqualTo(5);
  }

  @Test
  void theTableMarksTheRecommendation_andListsWhySkipped() {
    String table = ReportTable.render(new BenchmarkReport("h", 2, ROWS), BATCHED);

    assertThat(table.lines().findFirst().orElseThrow())
        .contains("P50 MS", "P95 MS", "P99 MS", "REQ/S", "RSS MIB");
    assertThat(table.lines().filter(l -> l.startsWith("*")).toList())
        .singleElement()
        .asString()
        .contains("16", "12000.0");
    assertThat(table).contains("skipped cnn@1 t2 p2 nobatch c8: over").contains("10 (3 failed)");
  }
}
