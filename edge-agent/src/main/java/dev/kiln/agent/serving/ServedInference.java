package dev.kiln.agent.serving;

import dev.kiln.agent.runtime.Tensor;
import java.time.Instant;
import java.util.Map;

/**
 * One inference as served, for {@link ServedTrafficSink}.
 *
 * @param shadow true when the outputs came from the shadow variant and were never returned
 * @param outputs null when the inference failed; {@code error} then says why
 * @param customAttributes the caller's {@code X-Amzn-SageMaker-Custom-Attributes}, or null
 */
public record ServedInference(
    String requestId,
    String model,
    String version,
    String variant,
    boolean shadow,
    Map<String, Tensor> inputs,
    Map<String, Tensor> outputs,
    long latencyMicros,
    String error,
    Instant at,
    String customAttributes) {

  /** A record without custom attributes. */
  public ServedInference(
      String requestId,
      String model,
      String version,
      String variant,
      boolean shadow,
      Map<String, Tensor> inputs,
      Map<String, Tensor> outputs,
      long latencyMicros,
      String error,
      Instant at) {
    this(
        requestId,
        model,
        version,
        variant,
        shadow,
        inputs,
        outputs,
        latencyMicros,
        error,
        at,
        null);
  }
}
