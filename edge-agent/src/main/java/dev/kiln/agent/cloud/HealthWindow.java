package dev.kiln.agent.cloud;

import dev.kiln.agent.serving.Metrics;
import dev.kiln.link.protocol.HealthMetrics;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures the fleet console reads from each heartbeat, over two spans:
 *
 * <ul>
 *   <li>{@link HealthMetrics#WINDOW}, the time since the previous heartbeat: how the device behaves
 *       now, for the fleet table;
 *   <li>{@link HealthMetrics#SINCE_ACTIVATION}, the time since the current version took traffic:
 *       what a deployment's health gate judges, so a pass covers the whole bake rather than
 *       whichever window came last, and a p95 rests on every request the new version served.
 * </ul>
 *
 * <p>p95 is interpolated within the latency histogram's buckets, as Prometheus' histogram_quantile
 * does, so it is an estimate with the buckets' resolution.
 */
final class HealthWindow {
  private static final Metrics.Window ZERO = new Metrics.Window(0, 0, new long[0]);

  private Metrics.Window previous = ZERO;
  private Metrics.Window activation = ZERO;

  /** The figures of both spans; a span in which no request was served adds nothing. */
  synchronized Map<String, Double> next(Metrics.Window now) {
    Map<String, Double> out = new TreeMap<>();
    put(out, HealthMetrics.WINDOW, previous, now);
    put(out, HealthMetrics.SINCE_ACTIVATION, activation, now);
    previous = now;
    return out;
  }

  /**
   * Starts both spans over at {@code now}: called when a new version takes traffic, so the gate
   * judges only the new version, not requests the old one served before the switch.
   */
  synchronized void restart(Metrics.Window now) {
    previous = now;
    activation = now;
  }

  private static void put(
      Map<String, Double> out, HealthMetrics.Span span, Metrics.Window from, Metrics.Window to) {
    long requests = to.requests() - from.requests();
    if (requests <= 0) {
      return;
    }
    long[] delta = new long[to.cumulativeBuckets().length];
    for (int i = 0; i < delta.length; i++) {
      long was = i < from.cumulativeBuckets().length ? from.cumulativeBuckets()[i] : 0;
      delta[i] = to.cumulativeBuckets()[i] - was;
    }
    out.put(span.requests(), (double) requests);
    out.put(span.errorRate(), (to.errors() - from.errors()) / (double) requests);
    out.put(span.p95Ms(), quantile(0.95, requests, delta, Metrics.Window.boundsMs()));
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
