package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.ArtifactFormat;
import dev.kiln.artifact.Json;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.Sha256;
import dev.kiln.artifact.VerificationSample;
import dev.kiln.compiler.accuracy.OutputFigures;
import dev.kiln.compiler.ort.HostTensor;
import java.util.Map;

/**
 * The verification record and shipped sample of a reduced-precision artifact. The sample's outputs
 * are the reduced payload's on this host, not fp32's: a device running the same payload should
 * reproduce them. Its tolerance is the largest error the reduced model made against fp32 on the
 * held-out samples, as a share of each output's largest value in the sample ({@link
 * VerificationSample#OUTPUT_MAX}): a device may differ from the host's run by at most what
 * quantization itself costs, which leaves room for other int8 kernels (arm64, VNNI or not) yet
 * catches a broken load, also where the outputs are far smaller than any absolute floor.
 */
final class ReducedVerification {
  /**
   * Floor of the sample tolerance (a share of each output's largest value), so a near-exact
   * reduction does not demand bit equality.
   */
  static final double MIN_TOLERANCE = 1e-4;

  private ReducedVerification() {}

  static Verifier.Outcome outcome(QuantizeStage.Result r) {
    double maxAbs = 0;
    double maxRel = 0;
    String worst = "";
    for (OutputFigures f : r.gate().outputs()) {
      if (f.maxAbsError() >= maxAbs) {
        maxAbs = f.maxAbsError();
        worst = f.output();
      }
      maxRel = Math.max(maxRel, f.relativeError());
    }
    Map<String, HostTensor> shipped = r.heldOutOutputs().get(0);
    double tolerance = MIN_TOLERANCE;
    for (OutputFigures f : r.gate().outputs()) {
      HostTensor output = shipped.get(f.output());
      double scale = output == null ? 1 : VerificationSample.outputScale(output.asDoubles());
      tolerance = Math.max(tolerance, f.maxAbsError() / scale);
    }
    VerificationSample sample =
        VerificationSample.relativeToOutputMax(
            Verifier.toData(r.samples().heldOut().get(0)), Verifier.toData(shipped), tolerance);
    String method =
        (r.mode() == QuantizeMode.FP16 ? "fp16 simulated on CPU" : "onnxruntime-cpu")
            + ", accuracy gate against the fp32 source on "
            + r.samples().origin();
    Manifest.Verification verification =
        new Manifest.Verification(
            true,
            method,
            r.gate().heldOutSamples(),
            maxAbs,
            maxRel,
            tolerance,
            worst,
            ArtifactFormat.SAMPLE,
            Sha256.of(Json.toBytes(sample)));
    return new Verifier.Outcome(
        verification,
        sample,
        String.format("output '%s': max abs error %.3g against fp32", worst, maxAbs),
        r.samples().heldOut().get(0),
        java.util.List.of());
  }
}
