package dev.kiln.agent.serving;

import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.TensorData;
import dev.kiln.artifact.VerificationSample;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Replays an artifact's {@code sample.json} on the loaded model before it takes traffic. Outputs
 * must match the compiler's recorded outputs elementwise by the sample's rule ({@link
 * VerificationSample#rule}): within the tolerance times each output's largest recorded magnitude
 * for artifacts that say so, else {@code |a - e| <= tol + tol * |e|} (numpy allclose with rtol =
 * atol = tol). The tolerance is {@value #DEFAULT_TOLERANCE} when the sample names none.
 */
public final class HealthCheck {
  public static final double DEFAULT_TOLERANCE = 1e-4;

  private HealthCheck() {}

  public record Result(boolean ok, String detail) {}

  public static Result run(
      VerificationSample sample, Function<Map<String, Tensor>, Map<String, Tensor>> model) {
    if (sample == null || sample.inputs() == null || sample.outputs() == null) {
      return new Result(false, "artifact has no sample.json to check the model with");
    }
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    sample.inputs().forEach((name, data) -> inputs.put(name, toTensor(data)));
    Map<String, Tensor> actual;
    try {
      actual = model.apply(inputs);
    } catch (RuntimeException e) {
      return new Result(false, "model failed on its sample inputs: " + e.getMessage());
    }
    double tol = sample.tolerance() > 0 ? sample.tolerance() : DEFAULT_TOLERANCE;
    for (var e : sample.outputs().entrySet()) {
      Tensor expected = toTensor(e.getValue());
      Tensor got = actual.get(e.getKey());
      if (got == null) {
        return new Result(false, "model produced no output '" + e.getKey() + "'");
      }
      if (!Arrays.equals(expected.shape(), got.shape())) {
        return new Result(
            false,
            "output '"
                + e.getKey()
                + "' has shape "
                + Arrays.toString(got.shape())
                + ", sample expects "
                + Arrays.toString(expected.shape()));
      }
      VerificationSample.Rule rule = sample.rule(tol, values(expected));
      for (int i = 0; i < expected.size(); i++) {
        double want = expected.get(i);
        double have = got.get(i);
        if (!rule.allows(have, want)) {
          return new Result(
              false,
              String.format(
                  "output '%s'[%d] is %s, sample expects %s (allowed: %s)",
                  e.getKey(), i, have, want, rule.describe()));
        }
      }
    }
    return new Result(
        true,
        "sample outputs match within "
            + tol
            + (VerificationSample.OUTPUT_MAX.equals(sample.toleranceScale())
                ? " of each output's largest value"
                : ""));
  }

  /**
   * Runs the sample {@code runs} more times, answers unchecked. A fresh engine session's first
   * calls are many times slower than later ones (arena growth, thread-pool start, lazy kernel
   * setup); paying that here keeps it off the first clients' requests, and off the latency a
   * canary's health gate judges right after activation.
   */
  public static void warmUp(
      VerificationSample sample,
      Function<Map<String, Tensor>, Map<String, Tensor>> model,
      int runs) {
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    sample.inputs().forEach((name, data) -> inputs.put(name, toTensor(data)));
    for (int i = 0; i < runs; i++) {
      model.apply(inputs);
    }
  }

  private static double[] values(Tensor t) {
    double[] values = new double[t.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = t.get(i);
    }
    return values;
  }

  static Tensor toTensor(TensorData data) {
    long[] shape = data.shapeArray();
    return DType.fromNumpy(data.dtype()) == DType.FLOAT32
        ? Tensor.ofFloats(shape, data.floats())
        : Tensor.ofLongs(shape, data.longs());
  }
}
