package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.ort.LoadLevel;
import dev.kiln.compiler.ort.OrtFailure;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The benchmark stage of an ONNX compile. For a reduced-precision compile it also settles what
 * ships: timing decides between the reduced payload and the fp32 one, and when fp32 wins it is
 * verified again so the artifact carries its own figures. Everything the package stage needs comes
 * back as one {@link Shipping}, so no stage after this one changes what was decided here.
 */
final class BenchmarkStage {
  private BenchmarkStage() {}

  /**
   * What ships, how it was verified and how it was timed.
   *
   * @param choice the reduced-or-fp32 decision; null when nothing was quantized
   * @param benchmark null when not timed (--skip-benchmark, or an fp16 payload meant for a GPU)
   */
  record Shipping(
      Path payload, Verifier.Outcome verified, ReducedChoice choice, Manifest.Benchmark benchmark) {
    boolean shipsReduced() {
      return choice != null && choice.shipReduced();
    }
  }

  /**
   * @param reduced the quantize stage's result; null when nothing was quantized
   * @param verified the verify stage's outcome for the payload the user asked for
   */
  static Shipping run(
      StageRunner stages,
      CompileRequest request,
      ResolvedTarget target,
      OnnxFrontEnd.Result front,
      QuantizeStage.Result reduced,
      LoadLevel deviceLevel,
      Verifier.Outcome verified)
      throws IOException, OrtFailure {
    if (request.skipBenchmark()) {
      stages.skip(CompileStage.BENCHMARK, "--skip-benchmark");
      if (reduced == null) {
        return new Shipping(front.payload(), verified, null, null);
      }
      // Nothing measured, so the reduced payload ships as asked.
      return new Shipping(
          reduced.payload(),
          verified,
          ReducedChoice.untimed(reduced, "not timed (--skip-benchmark)"),
          null);
    }
    int threads =
        Math.min(target.profile().runtime().threads(), Runtime.getRuntime().availableProcessors());
    StageRunner.Running benchmarking = stages.start(CompileStage.BENCHMARK);
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
      benchmarking.finish(
          "not timed: the fp16 payload is for the GPU, and CPU timings would not describe it");
      return new Shipping(shipped, verified, choice, null);
    }
    Manifest.Benchmark benchmark =
        HostBenchmark.run(
            request.source(), shipped, verified.firstInputs(), request.benchmarkRuns(), threads);
    benchmarking.finish(
        String.format(
                "p50 %.3f ms -> %.3f ms, load %.1f ms -> %.1f ms",
                benchmark.source().p50Ms(),
                benchmark.compiled().p50Ms(),
                benchmark.source().loadMs(),
                benchmark.compiled().loadMs())
            + choiceNote);
    return new Shipping(shipped, verified, choice, benchmark);
  }
}
