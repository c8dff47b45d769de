package dev.kiln.fleet.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.link.protocol.HealthMetrics;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthGateTest {
  private static final HealthMetrics.Span W = HealthMetrics.WINDOW;
  private static final HealthMetrics.Span SINCE = HealthMetrics.SINCE_ACTIVATION;
  private final GateConfig gate = new GateConfig(0.05, 1.5, 0.25, 2);
  private final Baseline baseline = new Baseline(10.0, 0.0, 5);

  private static HealthGate.Sample sample(String id, double err, double p95) {
    return new HealthGate.Sample(id, Map.of(W.errorRate(), err, W.p95Ms(), p95));
  }

  @Test
  void metrics_wait_untilEnoughDevicesReported() {
    GateResult r = HealthGate.metrics(gate, baseline, List.of(sample("a", 0, 10)));
    assertThat(r.verdict()).isEqualTo(GateResult.Verdict.WAIT);
    assertThat(r.reason()).contains("1 of 2");
  }

  @Test
  void metrics_pass_withinLimits_andFail_onErrorsOrLatency() {
    assertThat(
            HealthGate.metrics(
                    gate, baseline, List.of(sample("a", 0.01, 12), sample("b", 0.02, 14)))
                .verdict())
        .isEqualTo(GateResult.Verdict.PASS);
    assertThat(
            HealthGate.metrics(gate, baseline, List.of(sample("a", 0.2, 10), sample("b", 0, 10)))
                .reason())
        .contains("error rate 0.100");
    assertThat(
            HealthGate.metrics(gate, baseline, List.of(sample("a", 0, 16), sample("b", 0, 16)))
                .reason())
        .contains("1.60x");
  }

  @Test
  void metrics_judgeLatency_onlyOverWindowsWithEnoughRequests() {
    HealthGate.Sample few =
        new HealthGate.Sample("a", Map.of(W.errorRate(), 0.0, W.p95Ms(), 90.0, W.requests(), 4.0));
    HealthGate.Sample many =
        new HealthGate.Sample(
            "b", Map.of(W.errorRate(), 0.0, W.p95Ms(), 90.0, W.requests(), 400.0));
    GateConfig one = new GateConfig(0.05, 1.5, 0.25, 1);
    assertThat(HealthGate.metrics(one, baseline, List.of(few)).verdict())
        .as("one slow request among four is not a p95")
        .isEqualTo(GateResult.Verdict.PASS);
    assertThat(HealthGate.metrics(one, baseline, List.of(many)).reason()).contains("9.00x");
  }

  @Test
  void metrics_skipLatency_withoutABaseline() {
    assertThat(
            HealthGate.metrics(
                    gate, Baseline.none(), List.of(sample("a", 0, 99), sample("b", 0, 99)))
                .verdict())
        .isEqualTo(GateResult.Verdict.PASS);
  }

  @Test
  void activation_failsOnlyAboveTheAllowedShare() {
    assertThat(HealthGate.activation(gate, 4, 1).verdict()).isEqualTo(GateResult.Verdict.PASS);
    assertThat(HealthGate.activation(gate, 4, 2).reason()).contains("2 of 4");
  }

  @Test
  void baseline_isTheMedianP95AndMeanErrorRate() {
    Baseline b =
        HealthGate.baseline(
            gate,
            List.of(
                Map.of(W.p95Ms(), 10.0, W.errorRate(), 0.0),
                Map.of(W.p95Ms(), 30.0, W.errorRate(), 0.1),
                Map.of(W.p95Ms(), 12.0)));
    assertThat(b.p95Ms()).isEqualTo(12.0);
    assertThat(b.errorRate()).isEqualTo(0.05);
  }

  /** A device's figures over both spans: {@code window} then {@code sinceActivation}. */
  private static HealthGate.Sample both(String id, double[] window, double[] sinceActivation) {
    return new HealthGate.Sample(
        id,
        Map.of(
            W.requests(), window[0],
            W.errorRate(), window[1],
            W.p95Ms(), window[2],
            SINCE.requests(), sinceActivation[0],
            SINCE.errorRate(), sinceActivation[1],
            SINCE.p95Ms(), sinceActivation[2]));
  }

  @Test
  void metrics_judgeTheWholeTimeSinceActivation_notJustTheLatestWindow() {
    GateConfig one = new GateConfig(0.05, 1.5, 0.25, 1);
    // The latest window is clean, but over the bake a fifth of the requests failed.
    HealthGate.Sample recovered =
        both("a", new double[] {50, 0.0, 10}, new double[] {500, 0.2, 10});
    assertThat(HealthGate.metrics(one, baseline, List.of(recovered)).reason())
        .contains("error rate 0.200");
    // The latest window had a bad moment, but over the bake the version is healthy.
    HealthGate.Sample blip = both("a", new double[] {50, 0.1, 40}, new double[] {2000, 0.01, 11});
    assertThat(HealthGate.metrics(one, baseline, List.of(blip)).verdict())
        .isEqualTo(GateResult.Verdict.PASS);
  }

  @Test
  void metrics_weighTheErrorRateByRequests_whenDevicesReportThem() {
    // 10 failures among 1,010 requests is 1 %, not the 50 % mean of the two devices' rates.
    HealthGate.Sample busy = both("a", new double[] {0, 0, 0}, new double[] {1000, 0.0, 10});
    HealthGate.Sample idle = both("b", new double[] {0, 0, 0}, new double[] {10, 1.0, 10});
    GateResult r = HealthGate.metrics(gate, baseline, List.of(busy, idle));
    assertThat(r.verdict()).isEqualTo(GateResult.Verdict.PASS);
    assertThat(r.reason())
        .contains("error rate 0.010 over 1010 requests")
        .contains("p95 10.0 ms, 1.00x the previous 10.0 ms");
  }

  @Test
  void baseline_takesTheOldVersionsWholeServingTime_andSkipsDevicesWithTooFewRequests() {
    Baseline b =
        HealthGate.baseline(
            gate,
            List.of(
                both("a", new double[] {30, 0, 50}, new double[] {5000, 0.0, 12}).metrics(),
                both("b", new double[] {30, 0, 50}, new double[] {4000, 0.0, 14}).metrics(),
                both("c", new double[] {3, 0, 900}, new double[] {3, 0.0, 900}).metrics()));
    assertThat(b.p95Ms()).isEqualTo(13.0);
  }
}
