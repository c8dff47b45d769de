package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.Manifest;
import java.util.Arrays;

/** How every compile benchmark turns raw times into the manifest's figures. */
public final class Timings {
  private Timings() {}

  /** Load time plus p50 and p95 of {@code times}, all in milliseconds, rounded to microseconds. */
  public static Manifest.Timing of(double loadMs, double[] times) {
    double[] sorted = times.clone();
    Arrays.sort(sorted);
    return new Manifest.Timing(
        round(loadMs), round(percentile(sorted, 50)), round(percentile(sorted, 95)));
  }

  /** Nearest-rank percentile of an ascending array. */
  public static double percentile(double[] sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** The host line recorded beside the figures. */
  public static String host() {
    return System.getProperty("os.arch")
        + ", "
        + Runtime.getRuntime().availableProcessors()
        + " cores";
  }

  private static double round(double millis) {
    return Math.round(millis * 1000) / 1000.0;
  }
}
