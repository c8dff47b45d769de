package dev.kiln.artifact.baseline;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One feature's running statistics in bounded memory: exact count, mean and variance (Welford), min
 * and max, and a uniform reservoir sample of at most {@link #RESERVOIR} values from which the bin
 * edges and bin shares are taken. Seeded, so the same values in the same order give the same
 * baseline.
 */
final class FeatureAccumulator {
  /** Values kept per feature: bin shares from 10,000 values are within about 1 point of truth. */
  static final int RESERVOIR = 10_000;

  static final int BINS = 10;
  static final int CDF_BINS = 100;

  private final double[] sample = new double[RESERVOIR];
  private final SplittableRandom random;
  private long count;
  private double mean;
  private double m2;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;

  FeatureAccumulator(long seed) {
    this.random = new SplittableRandom(seed);
  }

  void add(double v) {
    if (Double.isNaN(v)) {
      return;
    }
    count++;
    double d = v - mean;
    mean += d / count;
    m2 += d * (v - mean);
    min = Math.min(min, v);
    max = Math.max(max, v);
    if (count <= RESERVOIR) {
      sample[(int) count - 1] = v;
    } else {
      long j = random.nextLong(count);
      if (j < RESERVOIR) {
        sample[(int) j] = v;
      }
    }
  }

  Summary summary() {
    return count == 0
        ? new Summary(0, 0, 0, 0, 0)
        : new Summary(count, mean, Math.sqrt(m2 / count), min, max);
  }

  /** A histogram of the sample with edges at its {@code bins}-quantiles (duplicates merged). */
  Histogram histogram(int bins) {
    int n = (int) Math.min(count, RESERVOIR);
    double[] sorted = Arrays.copyOf(sample, n);
    Arrays.sort(sorted);
    double[] edges = new double[Math.max(bins - 1, 0)];
    int e = 0;
    for (int q = 1; q < bins && n > 0; q++) {
      double edge = sorted[(int) Math.min(n - 1, (long) q * n / bins)];
      if (e == 0 || edge > edges[e - 1]) {
        edges[e++] = edge;
      }
    }
    edges = Arrays.copyOf(edges, e);
    long[] counts = new long[e + 1];
    for (double v : sorted) {
      counts[Histogram.bin(edges, v)]++;
    }
    return new Histogram(edges, counts);
  }
}
