package dev.kiln.fleet.simulate;

import java.util.Set;

/**
 * How a simulated device misbehaves, per model version, so a test can make "version 2" bad.
 *
 * @param failActivation versions whose activation fails (the device keeps the old one)
 * @param highErrors versions that report an error rate of 0.5 once active
 * @param slow versions that report four times the normal p95 latency
 */
public record SimBehavior(Set<String> failActivation, Set<String> highErrors, Set<String> slow) {
  public SimBehavior {
    failActivation = Set.copyOf(failActivation);
    highErrors = Set.copyOf(highErrors);
    slow = Set.copyOf(slow);
  }

  public static SimBehavior healthy() {
    return new SimBehavior(Set.of(), Set.of(), Set.of());
  }

  double errorRate(String version) {
    return highErrors.contains(version) ? 0.5 : 0.0;
  }

  double p95Ms(String version) {
    return slow.contains(version) ? 40.0 : 10.0;
  }
}
