package dev.kiln.compiler.pipeline;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.HostTensor;
import java.util.Map;

/**
 * Compares compiled outputs with source outputs. An output passes when every element satisfies
 * |compiled - source| <= tolerance * max(1, max|source|): absolute near zero, relative for large
 * outputs, so a randomly initialised network with tiny outputs is not failed on noise.
 */
final class Verification {
  private double maxAbs;
  private double maxRel;
  private String worstOutput = "";
  private String worstDetail = "";
  private boolean passed = true;

  void compare(
      int sample, Map<String, HostTensor> expected, Map<String, HostTensor> actual, double tol) {
    for (Map.Entry<String, HostTensor> entry : expected.entrySet()) {
      HostTensor got = actual.get(entry.getKey());
      if (got == null || got.size() != entry.getValue().size()) {
        throw new CompileException(
            CompileErrorCode.VERIFICATION_FAILED,
            "compiled model's output '" + entry.getKey() + "' is missing or has another size");
      }
      double[] want = entry.getValue().asDoubles();
      double[] have = got.asDoubles();
      double scale = 1;
      for (double w : want) {
        scale = Math.max(scale, Math.abs(w));
      }
      for (int i = 0; i < want.length; i++) {
        double abs = Math.abs(have[i] - want[i]);
        if (abs > maxAbs || Double.isNaN(abs)) {
          maxAbs = Double.isNaN(abs) ? Double.POSITIVE_INFINITY : abs;
          maxRel = maxAbs / scale;
          worstOutput = entry.getKey();
          worstDetail =
              String.format(
                  "output '%s' sample %d element %d: source %.6g, compiled %.6g",
                  entry.getKey(), sample, i, want[i], have[i]);
        }
        if (!(abs <= tol * scale)) {
          passed = false;
        }
      }
    }
  }

  boolean passed() {
    return passed;
  }

  double maxAbs() {
    return maxAbs;
  }

  double maxRel() {
    return maxRel;
  }

  String worstOutput() {
    return worstOutput;
  }

  String worstDetail() {
    return worstDetail;
  }
}
