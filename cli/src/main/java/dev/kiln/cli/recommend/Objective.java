package dev.kiln.cli.recommend;

import java.util.Locale;

/**
 * What the recommendation optimizes: the highest throughput outright, or the highest throughput
 * whose p95 latency stays at or under a bound.
 *
 * @param maxP95Ms the p95 bound in ms; null for the highest throughput outright
 */
public record Objective(Double maxP95Ms) {
  public static final Objective MAX_THROUGHPUT = new Objective(null);

  public static Objective maxP95(double ms) {
    if (!(ms > 0)) {
      throw new IllegalArgumentException("--max-p95 must be above 0 ms, got " + ms);
    }
    return new Objective(ms);
  }

  public boolean admits(double p95Ms) {
    return maxP95Ms == null || p95Ms <= maxP95Ms;
  }

  public String describe() {
    return maxP95Ms == null
        ? "the highest throughput"
        : String.format(Locale.ROOT, "the highest throughput with p95 at most %s ms", fmt());
  }

  private String fmt() {
    return maxP95Ms == Math.rint(maxP95Ms)
        ? Long.toString(maxP95Ms.longValue())
        : Double.toString(maxP95Ms);
  }
}
