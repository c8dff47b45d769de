package dev.kiln.fleet.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Judges a phase from its devices: activation failures right away, then error rate and p95 latency
 * from heartbeats sent after activation, compared with the previous version's {@link Baseline}.
 */
public final class HealthGate {
  /** Heartbeat metric: share of inference requests that failed since the last heartbeat. */
  public static final String ERROR_RATE = "inference.error_rate";

  /** Heartbeat metric: 95th percentile inference latency in milliseconds. */
  public static final String P95_MS = "inference.p95_ms";

  /** Heartbeat metric: requests served in the heartbeat's window. */
  public static final String REQUESTS = "inference.requests";

  private HealthGate() {}

  /** One updated device's latest metrics, taken after it activated the new version. */
  public record Sample(String deviceId, Map<String, Double> metrics) {}

  /** Fails as soon as too many devices of the phase failed to activate. */
  public static GateResult activation(GateConfig gate, int phaseDevices, int failed) {
    if (phaseDevices == 0 || failed == 0) {
      return GateResult.pass("no activation failures");
    }
    double rate = failed / (double) phaseDevices;
    if (rate > gate.maxActivationFailureRate()) {
      return GateResult.fail(
          String.format(
              Locale.ROOT,
              "%d of %d devices failed to activate (%.0f%%, allowed %.0f%%)",
              failed,
              phaseDevices,
              rate * 100,
              gate.maxActivationFailureRate() * 100));
    }
    return GateResult.pass(failed + " activation failures, within the allowed share");
  }

  /** Compares post-activation metrics with the thresholds and the baseline. */
  public static GateResult metrics(GateConfig gate, Baseline baseline, List<Sample> samples) {
    if (samples.size() < gate.minSamples()) {
      return GateResult.waiting(
          "waiting for heartbeats from updated devices ("
              + samples.size()
              + " of "
              + gate.minSamples()
              + " needed)");
    }
    List<Double> errors = new ArrayList<>();
    List<Double> p95s = new ArrayList<>();
    for (Sample s : samples) {
      Double e = s.metrics().get(ERROR_RATE);
      if (e != null) {
        errors.add(e);
      }
      Double p = s.metrics().get(P95_MS);
      if (p != null && enoughForLatency(gate, s.metrics())) {
        p95s.add(p);
      }
    }
    if (!errors.isEmpty()) {
      double mean = errors.stream().mapToDouble(Double::doubleValue).average().orElse(0);
      if (mean > gate.maxErrorRate()) {
        return GateResult.fail(
            String.format(
                Locale.ROOT,
                "error rate %.3f on the new version exceeds the limit %.3f",
                mean,
                gate.maxErrorRate()));
      }
    }
    if (!p95s.isEmpty() && baseline.p95Ms() != null && baseline.p95Ms() > 0) {
      double p95 = median(p95s);
      double ratio = p95 / baseline.p95Ms();
      if (ratio > gate.maxP95Ratio()) {
        return GateResult.fail(
            String.format(
                Locale.ROOT,
                "p95 latency %.1f ms is %.2fx the previous version's %.1f ms (limit %.2fx)",
                p95,
                ratio,
                baseline.p95Ms(),
                gate.maxP95Ratio()));
      }
    }
    return GateResult.pass(
        "healthy on " + samples.size() + " devices (error rate and p95 within limits)");
  }

  /**
   * Whether a window held enough requests for its p95 to mean something. Devices that do not report
   * their window's request count (older agents, the simulator) are taken at their word.
   */
  static boolean enoughForLatency(GateConfig gate, Map<String, Double> metrics) {
    Double requests = metrics.get(REQUESTS);
    return requests == null || requests >= gate.minRequestsForLatency();
  }

  /** The baseline from the targets' current heartbeats. */
  public static Baseline baseline(List<Map<String, Double>> metrics) {
    List<Double> p95s = new ArrayList<>();
    List<Double> errors = new ArrayList<>();
    for (Map<String, Double> m : metrics) {
      if (m.get(P95_MS) != null) {
        p95s.add(m.get(P95_MS));
      }
      if (m.get(ERROR_RATE) != null) {
        errors.add(m.get(ERROR_RATE));
      }
    }
    return new Baseline(
        p95s.isEmpty() ? null : median(p95s),
        errors.isEmpty()
            ? null
            : errors.stream().mapToDouble(Double::doubleValue).average().orElse(0),
        metrics.size());
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
