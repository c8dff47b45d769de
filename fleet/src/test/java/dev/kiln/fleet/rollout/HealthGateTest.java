package dev.kiln.fleet.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthGateTest {
  private final GateConfig gate = new GateConfig(0.05, 1.5, 0.25, 2);
  private final Baseline baseline = new Baseline(10.0, 0.0, 5);

  private static HealthGate.Sample sample(String id, double err, double p95) {
    return new HealthGate.Sample(id, Map.of(HealthGate.ERROR_RATE, err, HealthGate.P95_MS, p95));
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
        new HealthGate.Sample(
            "a",
            Map.of(HealthGate.ERROR_RATE, 0.0, HealthGate.P95_MS, 90.0, HealthGate.REQUESTS, 4.0));
    HealthGate.Sample many =
        new HealthGate.Sample(
            "b",
            Map.of(
                HealthGate.ERROR_RATE, 0.0, HealthGate.P95_MS, 90.0, HealthGate.REQUESTS, 400.0));
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
            List.of(
                Map.of(HealthGate.P95_MS, 10.0, HealthGate.ERROR_RATE, 0.0),
                Map.of(HealthGate.P95_MS, 30.0, HealthGate.ERROR_RATE, 0.1),
                Map.of(HealthGate.P95_MS, 12.0)));
    assertThat(b.p95Ms()).isEqualTo(12.0);
    assertThat(b.errorRate()).isEqualTo(0.05);
  }
}
