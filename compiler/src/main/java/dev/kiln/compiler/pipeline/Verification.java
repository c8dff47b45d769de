package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.VerificationSample;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.HostTensor;
import java.util.Map;

/**
 * Compares compiled outputs with source outputs. An output passes when every element satisfies
 * |compiled - source| <= tolerance * max|source|, the largest magnitude among that output's source
 * values (1 when they are all zero): the rule a device's health check applies to the shipped sample
 * ({@link VerificationSample#OUTPUT_MAX}), so what passes here passes there on this host's kernels.
 * Relative to each output's own scale, it sees a change in outputs of 1e-9 (a randomly initialised
 * mobilenet_v2's) as well as in logits; this host's fp32 kernels, and arm64's, stay within 3e-7 and
 * 4.2e-7 of the largest value on the sample models (docs/agent.md).
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
      double scale = VerificationSample.outputScale(want);
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
