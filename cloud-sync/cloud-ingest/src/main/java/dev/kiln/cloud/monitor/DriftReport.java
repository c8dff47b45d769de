package dev.kiln.cloud.monitor;

import java.util.List;

/**
 * What one check found.
 *
 * @param records captures read in the window
 * @param skippedGroups groups with fewer records than the minimum, not judged
 * @param measurements every measure taken, violated or not
 */
public record DriftReport(
    String model,
    long fromMs,
    long untilMs,
    long records,
    int skippedGroups,
    List<Measurement> measurements) {

  public List<Measurement> violations() {
    return measurements.stream().filter(Measurement::violated).toList();
  }

  public boolean drifted() {
    return measurements.stream().anyMatch(Measurement::violated);
  }
}
