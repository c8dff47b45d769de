package dev.kiln.link.protocol;

/**
 * Names of the inference health figures in a {@link Heartbeat}'s metrics: the agent writes them,
 * the fleet console's table and health gates read them.
 */
public final class HealthMetrics {
  private HealthMetrics() {}

  /** The names of one span's figures: requests served, share that failed, p95 latency in ms. */
  public record Span(String requests, String errorRate, String p95Ms) {}

  /** Since the previous heartbeat: how the device behaves now. */
  public static final Span WINDOW =
      new Span("inference.requests", "inference.error_rate", "inference.p95_ms");

  /** Since the serving version took traffic: what a deployment's health gate judges. */
  public static final Span SINCE_ACTIVATION =
      new Span(
          "inference.since_activation.requests",
          "inference.since_activation.error_rate",
          "inference.since_activation.p95_ms");
}
