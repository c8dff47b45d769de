package dev.kiln.bench;

import java.util.Arrays;

/** Latency percentiles in milliseconds. */
public record Stats(int n, double p50, double p95, double p99, double mean) {
  public static Stats of(double[] millis) {
    double[] s = millis.clone();
    Arrays.sort(s);
    return new Stats(
        s.length, pct(s, 50), pct(s, 95), pct(s, 99), Arrays.stream(s).average().orElse(0));
  }

  static double pct(double[] sorted, double p) {
    int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
