package dev.kiln.cloud.monitor;

import java.util.HashMap;
import java.util.Map;

/**
 * One group's window, counted into the baseline's bins: per feature the coarse bins (PSI, JS) and
 * the fine ones (KS), and the predicted classes. Its size depends on features and bins, not
 * records.
 */
final class WindowCounts {
  final long[][] bins;
  final long[][] cdfBins;
  final Map<Integer, Long> classes = new HashMap<>();
  long records;

  WindowCounts(DriftPlan plan) {
    int n = plan.features().size();
    bins = new long[n][];
    cdfBins = new long[n][];
    for (int f = 0; f < n; f++) {
      bins[f] = new long[plan.features().get(f).bins().counts().length];
      cdfBins[f] = new long[plan.features().get(f).cdfBins().counts().length];
    }
  }

  /**
   * Adds one record whose features fell in bins {@code bin[f]} and {@code cdfBin[f]} (negative:
   * absent), found once per record however many groups it counts in.
   */
  void add(int[] bin, int[] cdfBin, Integer topClass) {
    records++;
    for (int f = 0; f < bin.length; f++) {
      if (bin[f] >= 0) {
        bins[f][bin[f]]++;
        cdfBins[f][cdfBin[f]]++;
      }
    }
    if (topClass != null) {
      classes.merge(topClass, 1L, Long::sum);
    }
  }

  /** Adds another part of the same group's window (counted by another thread). */
  void merge(WindowCounts other) {
    records += other.records;
    for (int f = 0; f < bins.length; f++) {
      for (int b = 0; b < bins[f].length; b++) {
        bins[f][b] += other.bins[f][b];
      }
      for (int b = 0; b < cdfBins[f].length; b++) {
        cdfBins[f][b] += other.cdfBins[f][b];
      }
    }
    other.classes.forEach((k, v) -> classes.merge(k, v, Long::sum));
  }
}
