package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ir.OpHistogram;
import dev.kiln.compiler.ort.HostSession;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.IoTensor;
import dev.kiln.compiler.ort.LoadLevel;
import dev.kiln.compiler.ort.OrtFailure;
import dev.kiln.compiler.quant.Int8Scheme;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The stages of a compile for ONNX Runtime: of an ONNX model as given, or of one converted to ONNX
 * first (the {@link OnnxSource} says which, and what the original adds to verification, the
 * benchmark and the manifest). Every ONNX Runtime artifact is made here, so each gets Kiln's
 * passes, {@code --quantize} and the same checks, whatever it was converted from.
 */
public final class OnnxCompile implements FrontEnd {
  private final CompileRequest request;
  private final ResolvedTarget target;
  private final OnnxSource source;
  private final LoadLevel deviceLevel;

  private Path workDir;

  /** The request as the ONNX stages see it: the ONNX file as its source. */
  private CompileRequest onnxRequest;

  private OnnxFrontEnd graph;
  private OnnxFrontEnd.Result front;
  private QuantizeStage.Result reduced;
  private Verifier.Outcome verified;
  private OnnxSource.SourceCheck sourceCheck;
  private BenchmarkStage.Shipping shipping;

  public OnnxCompile(CompileRequest request, ResolvedTarget target, OnnxSource source) {
    this.request = request;
    this.target = target;
    this.source = source;
    this.deviceLevel = Compiler.deviceLoadLevel(target);
  }

  @Override
  public Stage load(Path workDir) {
    this.workDir = workDir;
    return Stage.run(
        () -> {
          OnnxSource.Onnx onnx = source.onnx(workDir);
          // A conversion already gave the model the shapes of --input-shape.
          onnxRequest =
              onnx.note().isEmpty()
                  ? request
                  : request.withSource(onnx.file()).withInputShapes(Map.of());
          graph =
              new OnnxFrontEnd(
                  onnx.file(),
                  onnxRequest.inputShapes(),
                  request.calibrationData() != null,
                  target,
                  workDir);
          String loaded = graph.load();
          return onnx.note().isEmpty() ? loaded : onnx.note() + "; " + loaded;
        });
  }

  @Override
  public Stage specialize() {
    return graph.specializes() ? Stage.run(graph::specialize) : Stage.skip(graph.keepShapes());
  }

  @Override
  public Stage optimize() {
    return Stage.run(
        () -> {
          String summary = graph.optimize();
          front = graph.result();
          return summary;
        });
  }

  @Override
  public Stage quantize() {
    if (!request.quantize().reduces()) {
      return Stage.skip("no --quantize");
    }
    return Stage.run(
        () -> {
          reduced =
              QuantizeStage.run(onnxRequest, target, front, deviceLevel != LoadLevel.NONE, workDir);
          return QuantizeStage.summary(reduced);
        });
  }

  /**
   * The payload against the ONNX at the request's tolerance, or, for a reduced-precision payload,
   * the accuracy gate the quantize stage already ran; then against the original source, if the ONNX
   * was converted from one.
   */
  @Override
  public Stage verify() {
    return Stage.run(
        () -> {
          String summary;
          if (reduced != null) {
            verified = ReducedVerification.outcome(reduced);
            summary =
                "accuracy gate against the fp32 source: "
                    + reduced.gate().summary()
                    + (reduced.mode() == QuantizeMode.FP16 ? " (fp16 simulated on CPU)" : "");
          } else {
            verified =
                Verifier.verify(
                    front.referenceModel(),
                    front.payload(),
                    deviceLevel,
                    onnxRequest,
                    front.generatedSizes());
            summary =
                String.format(
                    "max abs error %.2e on %d samples (tolerance %.0e)",
                    verified.verification().maxAbsError(),
                    verified.verification().samples(),
                    request.tolerance());
          }
          sourceCheck = source.check(verified.firstInputs(), front.payload(), deviceLevel);
          return sourceCheck == null ? summary : summary + "; " + sourceCheck.summary();
        });
  }

  @Override
  public Stage benchmark() {
    if (request.skipBenchmark()) {
      shipping = BenchmarkStage.untimed(front, reduced, verified);
      return Stage.skip("--skip-benchmark");
    }
    return Stage.run(
        () -> {
          shipping =
              BenchmarkStage.run(
                  onnxRequest,
                  target,
                  front,
                  reduced,
                  deviceLevel,
                  verified,
                  (shipped, inputs, threads) ->
                      source.time(
                          onnxRequest.source(),
                          shipped,
                          deviceLevel,
                          inputs,
                          threads,
                          request.benchmarkRuns()));
          return shipping.summary();
        });
  }

  @Override
  public Contents contents() throws IOException, OrtFailure {
    Path shipped = shipping.payload();
    Manifest manifest =
        ManifestFactory.onnx(
            onnxRequest,
            target,
            CompileSteps.defaultName(request),
            front,
            shipped,
            deviceLevel,
            signature(
                reduced != null && reduced.mode() == QuantizeMode.FP16 ? front.payload() : shipped,
                deviceLevel),
            verification(),
            shipping.benchmark(),
            shipping.shipsReduced() ? QuantizationManifest.of(reduced) : null);
    return new Contents(
        shipped,
        source.asSource(manifest, front.before().nodeCount()),
        shipping.verified().sample());
  }

  /** The shipped payload's verification, with the check against the original source added. */
  private Manifest.Verification verification() {
    Manifest.Verification onnx = shipping.verified().verification();
    return sourceCheck == null ? onnx : sourceCheck.merge(onnx);
  }

  @Override
  public CompileReport report(Path destination, Manifest manifest, boolean signed) {
    Verifier.Outcome shipped = shipping.verified();
    OpHistogram after = front.afterPasses();
    List<String> warnings = new ArrayList<>(front.warnings());
    warnings.addAll(shipped.notes());
    QuantizationReport quantization = null;
    if (reduced != null) {
      warnings.addAll(reduced.samples().warnings());
      warnings.addAll(shipping.choice().warnings());
      if (reduced.exactInt8()) {
        warnings.add(Int8Scheme.EXACT_GATE_NOTE);
      }
      // The original request: its source size is the TorchScript's for a converted model.
      quantization = shipping.choice().report(request, front, reduced);
    }
    warnings = new ArrayList<>(new LinkedHashSet<>(warnings));
    warnings.addAll(source.warnings());
    return new CompileReport(
        destination.toString(),
        manifest.model().name(),
        request.version(),
        target.profile().name(),
        target.arch(),
        manifest.engine().name(),
        manifest.engine().executionProviders(),
        target.optimizerLevel().name().toLowerCase(java.util.Locale.ROOT),
        target.levelReason(),
        manifest.payload().format(), // what shipped: fp16 on a CPU target ships .onnx
        front.before().ops(),
        after.ops(),
        front.before().nodeCount(),
        after.nodeCount(),
        manifest.passes(),
        manifest.sizes().sourceBytes(),
        manifest.sizes().payloadBytes(),
        manifest.verification(),
        sourceCheck == null
            ? shipped.worstDetail()
            : sourceCheck.worstDetail(shipped.verification(), shipped.worstDetail()),
        shipping.benchmark(),
        warnings,
        signed,
        manifest.source().framework(),
        inputShapes(
            shipped.firstInputs(),
            onnxRequest,
            front.shapeNote(),
            shipping.shipsReduced() ? reduced.samples().origin() : null),
        quantization);
  }

  /** The ONNX as loaded, before Kiln's passes: the most literal reading of the model. */
  @Override
  public Path baselineModel() {
    return front.referenceModel();
  }

  @Override
  public CompileException explain(CompileException e) {
    return source.explain(e);
  }

  /**
   * What the report says about the shapes verification and the benchmark ran at.
   *
   * @param reducedOrigin where a reduced compile's held-out samples came from; null otherwise
   */
  static String inputShapes(
      Map<String, HostTensor> inputs, CompileRequest request, String note, String reducedOrigin) {
    String origin =
        reducedOrigin != null
            ? reducedOrigin
            : request.calibrationData() != null
                ? "calibration data"
                : request.inputShapes().isEmpty() ? "seeded random inputs" : "--input-shape";
    return Verifier.describe(inputs) + " (" + origin + (note.isEmpty() ? "" : "; " + note) + ")";
  }

  private static Manifest.IoSignature signature(Path payload, LoadLevel level) throws OrtFailure {
    try (HostSession session = HostSession.open(payload, level, 1)) {
      return new Manifest.IoSignature(specs(session.inputs()), specs(session.outputs()));
    }
  }

  private static List<Manifest.TensorSpec> specs(Map<String, IoTensor> infos) {
    List<Manifest.TensorSpec> out = new ArrayList<>();
    infos.forEach(
        (name, info) -> {
          List<Long> shape = new ArrayList<>();
          for (long d : info.shape()) {
            shape.add(d < 0 ? -1L : d);
          }
          out.add(new Manifest.TensorSpec(name, info.dtype(), shape));
        });
    return out;
  }
}
