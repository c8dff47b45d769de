package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.LoadLevel;
import dev.kiln.compiler.ort.OrtFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The benchmark stage of an ONNX Runtime compile. For a reduced-precision compile it also settles
 * what ships: timing decides between the reduced payload and the fp32 one, and when fp32 wins it is
 * verified again so the artifact carries its own figures. Everything the package stage needs comes
 * back as one {@link Shipping}, so no stage after this one changes what was decided here.
 */
final class BenchmarkStage {
  private BenchmarkStage() {}

  /** Times the source (as the front end knows it) against the payload that ships. */
  @FunctionalInterface
  interface SourceTiming {
    OnnxSource.Timed time(Path shipped, Map<String, HostTensor> inputs, int threads)
        throws IOException, OrtFailure;
  }

  /**
   * What ships, how it was verified and how it was timed.
   *
   * @param choice the reduced-or-fp32 decision; null when nothing was quantized
   * @param benchmark null when not timed (--skip-benchmark, or an fp16 payload meant for a GPU)
   * @param summary the benchmark stage's line; empty when it was skipped
   */
  record Shipping(
      Path payload,
      Verifier.Outcome verified,
      ReducedChoice choice,
      Manifest.Benchmark benchmark,
      String summary) {
    boolean shipsReduced() {
      return choice != null && choice.shipReduced();
    }
  }

  /** With {@code --skip-benchmark}: nothing measured, so what was asked for ships. */
  static Shipping untimed(
      OnnxFrontEnd.Result front, QuantizeStage.Result reduced, Verifier.Outcome verified) {
    if (reduced == null) {
      return new Shipping(front.payload(), verified, null, null, "");
    }
    return new Shipping(
        reduced.payload(),
        verified,
        ReducedChoice.untimed(reduced, "not timed (--skip-benchmark)"),
        null,
        "");
  }

  /**
   * @param reduced the quantize stage's result; null when nothing was quantized
   * @param verified the verify stage's outcome for the payload the user asked for
   */
  static Shipping run(
      CompileRequest request,
      ResolvedTarget target,
      OnnxFrontEnd.Result front,
      QuantizeStage.Result reduced,
      LoadLevel deviceLevel,
      Verifier.Outcome verified,
      SourceTiming timing)
      throws IOException, OrtFailure {
    int threads =
        Math.min(target.profile().runtime().threads(), Runtime.getRuntime().availableProcessors());
    ReducedChoice choice = null;
    String choiceNote = "";
    Path shipped = front.payload();
    if (reduced != null) {
      choice = ReducedChoice.decide(request, target, front, reduced, deviceLevel, threads);
      choiceNote = "; " + choice.summary();
      if (choice.shipReduced()) {
        shipped = reduced.payload();
      } else {
        verified =
            Verifier.verify(
                front.referenceModel(),
                front.payload(),
                deviceLevel,
                request,
                front.generatedSizes());
      }
    }
    if (reduced != null && reduced.mode() == QuantizeMode.FP16) {
      return new Shipping(
          shipped,
          verified,
          choice,
          null,
          "not timed: the fp16 payload is for the GPU, and CPU timings would not describe it");
    }
    OnnxSource.Timed timed = timing.time(shipped, verified.firstInputs(), threads);
    return new Shipping(shipped, verified, choice, timed.benchmark(), timed.summary() + choiceNote);
  }
}
