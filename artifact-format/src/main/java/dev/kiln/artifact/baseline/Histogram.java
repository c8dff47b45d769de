package dev.kiln.artifact.baseline;

import java.util.Arrays;

/**
 * A histogram with fixed, increasing bin edges and open ends: {@code counts[0]} holds values below
 * {@code edges[0]}, {@code counts[i]} values in {@code [edges[i-1], edges[i])}, and the last count
 * values at or above the last edge, so a value outside the baseline's range still lands in a bin.
 * {@code counts.length == edges.length + 1}.
 */
public record Histogram(double[] edges, long[] counts) {
  public Histogram {
    if (counts.length != edges.length + 1) {
      throw new IllegalArgumentException(
          counts.length + " counts for " + edges.length + " edges; want edges + 1");
    }
  }

  /** The bin {@code value} falls in (0 .. edges.length). */
  public int bin(double value) {
    return bin(edges, value);
  }

  /** The bin of {@code value} over {@code edges}, found by binary search. */
  public static int bin(double[] edges, double value) {
    int lo = 0;
    int hi = edges.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (value >= edges[mid]) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  public long total() {
    long n = 0;
    for (long c : counts) {
      n += c;
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Histogram h
        && Arrays.equals(edges, h.edges)
        && Arrays.equals(counts, h.counts);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(edges) * 31 + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    return "Histogram" + Arrays.toString(edges) + Arrays.toString(counts);
  }
}
