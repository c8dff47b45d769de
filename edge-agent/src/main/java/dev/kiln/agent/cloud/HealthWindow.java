package dev.kiln.agent.cloud;

import dev.kiln.agent.serving.Metrics;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures the fleet console's health gates read, over the time since the previous heartbeat: a
 * gate must judge how the device behaves now, not averaged with everything since it started. {@code
 * inference.p95_ms} is interpolated within the latency histogram's buckets, as Prometheus'
 * histogram_quantile does, so it is an estimate with the buckets' resolution.
 */
final class HealthWindow {
  static final String ERROR_RATE = "inference.error_rate";
  static final String P95_MS = "inference.p95_ms";
  static final String REQUESTS = "inference.requests";

  private Metrics.Window previous = new Metrics.Window(0, 0, new long[0]);

  /** The window's figures; empty when no request was served in it (nothing to judge). */
  synchronized Map<String, Double> next(Metrics.Window now) {
    Metrics.Window before = previous;
    previous = now;
    long requests = now.requests() - before.requests();
    Map<String, Double> out = new TreeMap<>();
    if (requests <= 0) {
      return out;
    }
    long[] delta = new long[now.cumulativeBuckets().length];
    for (int i = 0; i < delta.length; i++) {
      long was = i < before.cumulativeBuckets().length ? before.cumulativeBuckets()[i] : 0;
      delta[i] = now.cumulativeBuckets()[i] - was;
    }
    out.put(REQUESTS, (double) requests);
    out.put(ERROR_RATE, (now.errors() - before.errors()) / (double) requests);
    out.put(P95_MS, quantile(0.95, requests, delta, Metrics.Window.boundsMs()));
    return out;
  }

  /**
   * Starts the window over at {@code now}: called when a new version takes traffic, so the next
   * heartbeat judges only the new version, not requests the old one served before the switch.
   */
  synchronized void restart(Metrics.Window now) {
    previous = now;
  }

  /** Linear interpolation inside the first bucket whose cumulative count reaches the rank. */
  static double quantile(double q, long total, long[] cumulative, double[] boundsMs) {
    double rank = q * total;
    long below = 0;
    double lower = 0;
    for (int i = 0; i < cumulative.length; i++) {
      if (cumulative[i] >= rank) {
        long inBucket = cumulative[i] - below;
        double fraction = inBucket == 0 ? 1 : (rank - below) / inBucket;
        return lower + (boundsMs[i] - lower) * fraction;
      }
      below = cumulative[i];
      lower = boundsMs[i];
    }
    // Beyond the last bucket: all we know is "slower than the largest bound".
    return boundsMs[boundsMs.length - 1];
  }
}
