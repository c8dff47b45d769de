package dev.kiln.cloud.monitor;

/**
 * When a measure counts as drift (docs/monitoring.md, "Measures and thresholds").
 *
 * @param psi population stability index over the baseline's decile bins; 0.2 is the usual line for
 *     a significant shift (under 0.1 stable, 0.1 to 0.2 moderate)
 * @param js Jensen-Shannon distance (base 2, 0 to 1) over the same bins
 * @param ksD Kolmogorov-Smirnov statistic D, the largest gap between the two distribution functions
 * @param ksP the KS p-value must also be under this: D alone is noisy on small windows, p alone
 *     flags tiny shifts on large ones
 * @param classShift the largest change in one predicted class's share of the records
 * @param minRecords a window (per group) with fewer records is not judged: its noise alone would
 *     move the measures toward their thresholds
 */
public record Thresholds(
    double psi, double js, double ksD, double ksP, double classShift, long minRecords) {
  public static final Thresholds DEFAULTS = new Thresholds(0.2, 0.1, 0.1, 0.01, 0.1, 500);
}
