package dev.kiln.agent.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.agent.serving.Metrics;
import org.junit.jupiter.api.Test;

class HealthWindowTest {

  @Test
  void figures_coverOnlyTheWindowSinceThePreviousHeartbeat() {
    Metrics metrics = new Metrics();
    HealthWindow window = new HealthWindow();
    for (int i = 0; i < 100; i++) {
      metrics.recordInvocation("m", "1", 500, i < 50); // 0.5 ms, half of them errors
    }
    assertThat(window.next(metrics.window()).get(HealthWindow.ERROR_RATE)).isEqualTo(0.5);

    for (int i = 0; i < 100; i++) {
      metrics.recordInvocation("m", "1", 40_000, false); // 40 ms, no errors
    }
    var second = window.next(metrics.window());

    assertThat(second.get(HealthWindow.REQUESTS)).isEqualTo(100.0);
    assertThat(second.get(HealthWindow.ERROR_RATE)).isZero();
    // All 100 fell in the (25 ms, 50 ms] bucket: p95 is interpolated inside it.
    assertThat(second.get(HealthWindow.P95_MS)).isBetween(25.0, 50.0);
  }

  @Test
  void aQuietWindow_reportsNothingToJudge() {
    Metrics metrics = new Metrics();
    HealthWindow window = new HealthWindow();
    metrics.recordInvocation("m", "1", 500, false);
    window.next(metrics.window());

    assertThat(window.next(metrics.window())).isEmpty();
  }

  @Test
  void quantile_interpolatesWithinTheBucket_likeHistogramQuantile() {
    double[] bounds = {1, 2, 4};
    long[] cumulative = {0, 100, 100}; // everything in (1, 2]
    assertThat(HealthWindow.quantile(0.5, 100, cumulative, bounds)).isCloseTo(1.5, within(1e-9));
    assertThat(HealthWindow.quantile(0.95, 100, cumulative, bounds)).isCloseTo(1.95, within(1e-9));
    // Slower than every bucket: the largest bound is all that is known.
    assertThat(HealthWindow.quantile(0.95, 10, new long[] {0, 0, 0}, bounds)).isEqualTo(4.0);
  }
}
