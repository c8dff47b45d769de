package dev.kiln.agent.serving;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Latency buckets are counted once per request and reported cumulatively, as Prometheus wants. */
class MetricsTest {
  @Test
  void latencyBuckets_areCumulative_inTheWindowAndTheText() {
    Metrics m = new Metrics();
    m.recordInvocation("cnn", "v1", 500, false); // 0.5 ms: first bucket (1 ms)
    m.recordInvocation("cnn", "v1", 3_000, false); // 3 ms: the 5 ms bucket
    m.recordInvocation("cnn", "v1", 20_000_000, true); // 20 s: over every bound

    long[] buckets = m.window().cumulativeBuckets();
    assertThat(buckets[0]).isEqualTo(1); // le 0.001
    assertThat(buckets[1]).isEqualTo(1); // le 0.0025
    assertThat(buckets[2]).isEqualTo(2); // le 0.005
    assertThat(buckets[buckets.length - 1]).isEqualTo(2); // le 10
    assertThat(m.window().requests()).isEqualTo(3);

    String text = m.render();
    assertThat(text)
        .contains(
            "kiln_invocation_latency_seconds_bucket{model=\"cnn\",variant=\"v1\",le=\"0.001\"} 1")
        .contains(
            "kiln_invocation_latency_seconds_bucket{model=\"cnn\",variant=\"v1\",le=\"0.005\"} 2")
        .contains(
            "kiln_invocation_latency_seconds_bucket{model=\"cnn\",variant=\"v1\",le=\"10.0\"} 2")
        .contains(
            "kiln_invocation_latency_seconds_bucket{model=\"cnn\",variant=\"v1\",le=\"+Inf\"} 3");
  }
}
