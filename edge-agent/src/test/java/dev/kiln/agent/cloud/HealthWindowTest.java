package dev.kiln.agent.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.agent.serving.Metrics;
import dev.kiln.link.protocol.HealthMetrics;
import org.junit.jupiter.api.Test;

class HealthWindowTest {
  private static final HealthMetrics.Span WINDOW = HealthMetrics.WINDOW;
  private static final HealthMetrics.Span SINCE = HealthMetrics.SINCE_ACTIVATION;

  @Test
  void figures_coverOnlyTheWindowSinceThePreviousHeartbeat() {
    Metrics metrics = new Metrics();
    HealthWindow window = new HealthWindow();
    for (int i = 0; i < 100; i++) {
      metrics.recordInvocation("m", "1", 500, i < 50); // 0.5 ms, half of them errors
    }
    assertThat(window.next(metrics.window()).get(WINDOW.errorRate())).isEqualTo(0.5);

    for (int i = 0; i < 100; i++) {
      metrics.recordInvocation("m", "1", 40_000, false); // 40 ms, no errors
    }
    var second = window.next(metrics.window());

    assertThat(second.get(WINDOW.requests())).isEqualTo(100.0);
    assertThat(second.get(WINDOW.errorRate())).isZero();
    // All 100 fell in the (25 ms, 50 ms] bucket: p95 is interpolated inside it.
    assertThat(second.get(WINDOW.p95Ms())).isBetween(25.0, 50.0);
  }

  @Test
  void aQuietWindow_reportsNoWindowFigures_butKeepsTheFiguresSinceActivation() {
    Metrics metrics = new Metrics();
    HealthWindow window = new HealthWindow();
    metrics.recordInvocation("m", "1", 500, false);
    window.next(metrics.window());

    var quiet = window.next(metrics.window());

    assertThat(quiet).doesNotContainKeys(WINDOW.requests(), WINDOW.p95Ms());
    assertThat(quiet).containsEntry(SINCE.requests(), 1.0);
  }

  @Test
  void figuresSinceActivation_coverEveryWindowOfTheNewVersion_andNothingBefore() {
    Metrics metrics = new Metrics();
    HealthWindow window = new HealthWindow();
    for (int i = 0; i < 100; i++) {
      metrics.recordInvocation("m", "1", 500, true); // the old version: every request failed
    }
    window.next(metrics.window());
    window.restart(metrics.window()); // the new version takes traffic here

    for (int i = 0; i < 10; i++) {
      metrics.recordInvocation("m", "2", 40_000, i == 0); // 40 ms, one error in ten
    }
    window.next(metrics.window());
    for (int i = 0; i < 30; i++) {
      metrics.recordInvocation("m", "2", 500, false); // 0.5 ms
    }
    var latest = window.next(metrics.window());

    // The latest window alone: 30 fast requests, no errors.
    assertThat(latest.get(WINDOW.requests())).isEqualTo(30.0);
    assertThat(latest.get(WINDOW.errorRate())).isZero();
    // Since activation: both windows of the new version (40 requests, 1 error), none of the old.
    assertThat(latest.get(SINCE.requests())).isEqualTo(40.0);
    assertThat(latest.get(SINCE.errorRate())).isEqualTo(1 / 40.0);
    // 10 of 40 took 40 ms: the 95th percentile is among them, in the (25 ms, 50 ms] bucket.
    assertThat(latest.get(SINCE.p95Ms())).isBetween(25.0, 50.0);
    assertThat(latest.get(WINDOW.p95Ms())).isLessThan(1.0);
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
