package dev.kiln.fleet.rollout;

/**
 * The previous version's health, taken from the targets' heartbeats when the deployment starts.
 * Null fields mean no device reported that metric, and the gate then skips the comparison.
 */
public record Baseline(Double p95Ms, Double errorRate, int devices) {
  public static Baseline none() {
    return new Baseline(null, null, 0);
  }
}
