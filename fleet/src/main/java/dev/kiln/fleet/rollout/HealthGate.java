package dev.kiln.fleet.rollout;

import dev.kiln.link.protocol.HealthMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Judges a phase from its devices: activation failures right away, then error rate and p95 latency
 * from heartbeats sent after activation, compared with the previous version's {@link Baseline}.
 *
 * <p>A device's figures are taken over the whole time since it activated the new version ({@link
 * HealthMetrics#SINCE_ACTIVATION}), so a pass at the end of a bake covers the bake, not whichever
 * heartbeat window came last. Devices that report only the latest window (older agents, the
 * simulator) are judged on that.
 */
public final class HealthGate {
  private HealthGate() {}

  /** One updated device's latest metrics, taken after it activated the new version. */
  public record Sample(String deviceId, Map<String, Double> metrics) {}

  /** One device's figures over the span it reports; null where it reports nothing. */
  private record Figures(Double requests, Double errorRate, Double p95Ms) {
    static Figures of(Map<String, Double> metrics) {
      HealthMetrics.Span span =
          metrics.containsKey(HealthMetrics.SINCE_ACTIVATION.requests())
              ? HealthMetrics.SINCE_ACTIVATION
              : HealthMetrics.WINDOW;
      return new Figures(
          metrics.get(span.requests()), metrics.get(span.errorRate()), metrics.get(span.p95Ms()));
    }

    /**
     * Whether the span held enough requests for its p95 to mean something. A device that does not
     * report its request count is taken at its word.
     */
    boolean enoughForLatency(GateConfig gate) {
      return p95Ms != null && (requests == null || requests >= gate.minRequestsForLatency());
    }
  }

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
    List<Figures> figures = samples.stream().map(s -> Figures.of(s.metrics())).toList();
    Double errorRate = errorRate(figures);
    if (errorRate != null && errorRate > gate.maxErrorRate()) {
      return GateResult.fail(
          String.format(
              Locale.ROOT,
              "error rate %.3f on the new version exceeds the limit %.3f",
              errorRate,
              gate.maxErrorRate()));
    }
    List<Double> p95s = new ArrayList<>();
    for (Figures f : figures) {
      if (f.enoughForLatency(gate)) {
        p95s.add(f.p95Ms());
      }
    }
    String latency;
    if (p95s.isEmpty()) {
      latency = "p95 not judged: fewer than " + gate.minRequestsForLatency() + " requests";
    } else if (baseline.p95Ms() == null || baseline.p95Ms() <= 0) {
      latency = String.format(Locale.ROOT, "p95 %.1f ms, not judged: no baseline", median(p95s));
    } else {
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
      latency =
          String.format(
              Locale.ROOT, "p95 %.1f ms, %.2fx the previous %.1f ms", p95, ratio, baseline.p95Ms());
    }
    return GateResult.pass(
        String.format(
            Locale.ROOT,
            "healthy on %d device%s: error rate %s; %s",
            samples.size(),
            samples.size() == 1 ? "" : "s",
            errorRate == null ? "not reported" : errorRateText(errorRate, figures),
            latency));
  }

  private static String errorRateText(double rate, List<Figures> figures) {
    String text = String.format(Locale.ROOT, "%.3f", rate);
    if (figures.stream().allMatch(f -> f.requests() != null)) {
      long requests = Math.round(figures.stream().mapToDouble(Figures::requests).sum());
      text += " over " + requests + " requests";
    }
    return text;
  }

  /**
   * The share of the new version's requests that failed, across devices: weighted by requests when
   * every device reports its count (a device that served ten requests must not outvote one that
   * served a thousand), the plain mean of the devices' rates otherwise; null when none reports.
   */
  private static Double errorRate(List<Figures> figures) {
    double failed = 0;
    double requests = 0;
    double sumOfRates = 0;
    int rates = 0;
    boolean weighted = true;
    for (Figures f : figures) {
      if (f.errorRate() == null) {
        continue;
      }
      rates++;
      sumOfRates += f.errorRate();
      if (f.requests() == null) {
        weighted = false;
      } else {
        failed += f.errorRate() * f.requests();
        requests += f.requests();
      }
    }
    if (rates == 0) {
      return null;
    }
    return weighted && requests > 0 ? failed / requests : sumOfRates / rates;
  }

  /**
   * The baseline from the targets' current heartbeats: each device's figures over the time the
   * current version has served (the latest window where that is not reported), the median p95 of
   * devices with enough requests for one, and the mean error rate.
   */
  public static Baseline baseline(GateConfig gate, List<Map<String, Double>> metrics) {
    List<Double> p95s = new ArrayList<>();
    List<Double> errors = new ArrayList<>();
    for (Map<String, Double> m : metrics) {
      Figures f = Figures.of(m);
      if (f.enoughForLatency(gate)) {
        p95s.add(f.p95Ms());
      }
      if (f.errorRate() != null) {
        errors.add(f.errorRate());
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
