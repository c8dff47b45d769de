package dev.kiln.fleet.rollout;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;

/**
 * Health gate thresholds a deployment is judged by.
 *
 * @param maxErrorRate highest mean {@value HealthGate#ERROR_RATE} allowed on updated devices
 * @param maxP95Ratio highest allowed ratio of the new p95 latency to the previous version's
 * @param maxActivationFailureRate share of a phase's devices that may fail to activate
 * @param minSamples updated devices that must have reported a heartbeat before a gate can pass
 * @param minRequestsForLatency requests a heartbeat window must hold for its p95 to be judged: the
 *     95th percentile of a handful of requests is whichever one was slowest
 * @param accuracy the field-accuracy gate ({@code --gate accuracy:...}); null when not asked for
 * @param drift whether a drift alert for the new version fails a bake ({@code --gate drift})
 */
public record GateConfig(
    double maxErrorRate,
    double maxP95Ratio,
    double maxActivationFailureRate,
    int minSamples,
    int minRequestsForLatency,
    AccuracyGate.Config accuracy,
    boolean drift) {

  /** Judges p95 only over windows of {@value #MIN_REQUESTS_FOR_LATENCY} requests or more. */
  public static final int MIN_REQUESTS_FOR_LATENCY = 20;

  public GateConfig(
      double maxErrorRate, double maxP95Ratio, double maxActivationFailureRate, int minSamples) {
    this(maxErrorRate, maxP95Ratio, maxActivationFailureRate, minSamples, MIN_REQUESTS_FOR_LATENCY);
  }

  public GateConfig(
      double maxErrorRate,
      double maxP95Ratio,
      double maxActivationFailureRate,
      int minSamples,
      int minRequestsForLatency) {
    this(
        maxErrorRate,
        maxP95Ratio,
        maxActivationFailureRate,
        minSamples,
        minRequestsForLatency,
        null,
        false);
  }

  public GateConfig {
    if (maxErrorRate < 0
        || maxP95Ratio <= 0
        || maxActivationFailureRate < 0
        || minSamples < 0
        || minRequestsForLatency < 0) {
      throw new FleetException(
          FleetErrorCode.CONFIG_INVALID,
          "gate thresholds must be >= 0 (maxP95Ratio > 0), got " + this);
    }
  }

  public static GateConfig defaults() {
    return new GateConfig(0.05, 1.5, 0.0, 1);
  }

  /** The same thresholds with the field-accuracy gate. */
  public GateConfig withAccuracy(AccuracyGate.Config gate) {
    return new GateConfig(
        maxErrorRate,
        maxP95Ratio,
        maxActivationFailureRate,
        minSamples,
        minRequestsForLatency,
        gate,
        drift);
  }

  /** The same thresholds with the drift gate on or off. */
  public GateConfig withDrift(boolean on) {
    return new GateConfig(
        maxErrorRate,
        maxP95Ratio,
        maxActivationFailureRate,
        minSamples,
        minRequestsForLatency,
        accuracy,
        on);
  }
}
