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

  void add(double[] values, boolean[] present, Integer topClass, DriftPlan plan) {
    records++;
    for (int f = 0; f < values.length; f++) {
      if (present[f] && !Double.isNaN(values[f])) {
        bins[f][plan.features().get(f).bins().bin(values[f])]++;
        cdfBins[f][plan.features().get(f).cdfBins().bin(values[f])]++;
      }
    }
    if (topClass != null) {
      classes.merge(topClass, 1L, Long::sum);
    }
  }
}
