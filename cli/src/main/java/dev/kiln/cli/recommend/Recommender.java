package dev.kiln.cli.recommend;

import dev.kiln.link.protocol.BenchmarkReport;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Picks the configuration for an {@link Objective} from measured rows. Only rows that were measured
 * and had no failed request count. Among those the objective admits, the highest throughput wins; a
 * tie goes to the lower p95, then the fewer busy threads (cheaper for the same result).
 */
public final class Recommender {
  private Recommender() {}

  private static final Comparator<BenchmarkReport.Row> BEST =
      Comparator.comparingDouble(BenchmarkReport.Row::throughput)
          .thenComparing(Comparator.comparingDouble(BenchmarkReport.Row::p95Ms).reversed())
          .thenComparing(
              Comparator.comparingInt(
                      (BenchmarkReport.Row r) -> r.config().threads() * r.config().predictors())
                  .reversed());

  public static Optional<BenchmarkReport.Row> choose(
      List<BenchmarkReport.Row> rows, Objective objective) {
    return rows.stream()
        .filter(r -> r.measured() && r.errors() == 0)
        .filter(r -> objective.admits(r.p95Ms()))
        .max(BEST);
  }

  /** The measured row with the lowest p95, to say how close a missed bound came. */
  public static Optional<BenchmarkReport.Row> lowestP95(List<BenchmarkReport.Row> rows) {
    return rows.stream()
        .filter(r -> r.measured() && r.errors() == 0)
        .min(Comparator.comparingDouble(BenchmarkReport.Row::p95Ms));
  }
}
