package dev.kiln.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.cloud.store.Comparison;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How {@code kiln fleet compare} prints a comparison (its SQL is tested on both stores beside
 * {@code ComparisonQueries} in cloud-ingest).
 */
class CompareCommandTest {
  @Test
  void shadowComparison_printsTheAgreementAndMarksTheNewVersion() {
    Comparison c =
        new Comparison(
            "dep",
            "m",
            "2",
            "shadow",
            List.of("d1", "d2"),
            1_800_000_000_000L,
            1_800_000_060_000L,
            List.of(
                new Comparison.VersionStats("1", "serving", 10, 2.0, 2.0, 0, 10L, 0L, 0.0),
                new Comparison.VersionStats("2", "shadow", 10, 2.0, 2.0, 0, null, null, null)),
            new Comparison.Agreement("same-requests", 10, 0.7, 0.2));

    assertThat(CompareCommand.render(c)).contains("70.0% of 10 requests").contains("2 (new)");
  }
}
