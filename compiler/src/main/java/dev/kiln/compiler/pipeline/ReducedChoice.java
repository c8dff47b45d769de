package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.ort.LoadLevel;
import dev.kiln.compiler.ort.OrtFailure;
import dev.kiln.profile.Arch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;

/**
 * Whether the reduced payload ships. int8 that runs slower than fp32 on its target is no gain, so
 * for targets of this host's arch the two compiled payloads are timed interleaved and int8 ships
 * only when its p50 is at most {@link #PAY_RATIO} of fp32's: gains under 5% are within the noise of
 * a shared host and do not pay for the accuracy given up. {@code --ship-slower-int8} overrides
 * (e.g. for size). Other arches and GPU targets cannot be timed here: the report says so.
 *
 * @param pair the interleaved timings; null when not timed
 */
record ReducedChoice(
    boolean shipReduced,
    String summary,
    HostBenchmark.Pair pair,
    String notTimed,
    List<String> warnings) {
  static final double PAY_RATIO = 0.95;

  static ReducedChoice decide(
      CompileRequest request,
      ResolvedTarget target,
      OnnxFrontEnd.Result front,
      QuantizeStage.Result reduced,
      LoadLevel deviceLevel,
      int threads)
      throws OrtFailure {
    if (reduced.mode() == QuantizeMode.FP16) {
      return untimed(
          reduced, "fp16 not timed: it is for the GPU and is only simulated on this CPU");
    }
    if (target.profile().hasNvidiaAccelerator()) {
      return untimed(reduced, "int8 not timed: GPU target, this host has no GPU");
    }
    if (target.profile().arch() != Arch.host()) {
      return untimed(
          reduced,
          "int8 not timed: target arch "
              + target.arch()
              + " differs from this host's ("
              + Arch.host().jsonName()
              + "), so whether int8 pays there is not measured");
    }
    HostBenchmark.Pair pair =
        HostBenchmark.compare(
            front.payload(),
            reduced.payload(),
            deviceLevel,
            reduced.samples().heldOut().get(0),
            request.benchmarkRuns(),
            threads);
    double ratio = pair.ratio();
    String measured =
        String.format(
            "int8 p50 %.3f ms vs fp32 compiled %.3f ms (%.2fx, interleaved)",
            pair.reduced().p50Ms(), pair.fp32().p50Ms(), ratio);
    if (ratio <= PAY_RATIO) {
      return new ReducedChoice(true, "int8 pays: " + measured, pair, null, List.of());
    }
    if (request.quantize().shipSlowerInt8()) {
      return new ReducedChoice(
          true,
          "int8 does not pay, shipped anyway (--ship-slower-int8): " + measured,
          pair,
          null,
          List.of(
              "int8 is not faster than fp32 on this host ("
                  + measured
                  + "); shipped int8 anyway because --ship-slower-int8 was given"));
    }
    return new ReducedChoice(
        false,
        "int8 does not pay, shipped fp32: " + measured,
        pair,
        null,
        List.of(
            "int8 does not pay for this model on this host: "
                + measured
                + ", above the "
                + PAY_RATIO
                + "x it must reach. Shipped the fp32 compiled artifact instead; give"
                + " --ship-slower-int8 to ship int8 anyway (it is smaller)."));
  }

  static ReducedChoice untimed(QuantizeStage.Result reduced, String why) {
    return new ReducedChoice(
        true, reduced.mode().flag() + " shipped; " + why, null, why, List.of());
  }

  QuantizationReport report(
      CompileRequest request, OnnxFrontEnd.Result front, QuantizeStage.Result reduced) {
    try {
      return new QuantizationReport(
          reduced.mode().flag(),
          shipReduced ? reduced.mode().flag() : "fp32",
          summary,
          Files.size(request.source()),
          Files.size(front.payload()),
          Files.size(reduced.payload()),
          pair == null ? null : pair.fp32(),
          pair == null ? null : pair.reduced(),
          pair == null ? null : pair.ratio(),
          notTimed,
          reduced.samples().origin(),
          QuantizationManifest.of(reduced),
          reduced.gate(),
          reduced.gate().worstNodes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** For the manifest of a shipped reduced payload. */
  Manifest.Quantization manifest(QuantizeStage.Result reduced) {
    return shipReduced ? QuantizationManifest.of(reduced) : null;
  }
}
