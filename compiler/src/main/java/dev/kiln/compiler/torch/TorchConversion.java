package dev.kiln.compiler.torch;

import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.Sha256;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.HostSession;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.LoadLevel;
import dev.kiln.compiler.ort.OrtFailure;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.CompileSteps;
import dev.kiln.compiler.pipeline.OnnxSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TorchScript converted to ONNX for ONNX Runtime: the host's torch exports the model at LOAD, the
 * ONNX stages compile the export like any ONNX model (passes, {@code --quantize}, verification
 * against the export), and this adds what the original TorchScript must confirm: the compiled
 * payload reproduces it in libtorch, the benchmark times the two engines, and the manifest names
 * the TorchScript as the source.
 */
final class TorchConversion implements OnnxSource {
  private final CompileRequest request;
  private final EnginePlan plan;
  private final TorchInputs inputs;
  private final int opset;
  private final Duration timeout;

  private OnnxExport.Exported exported;
  private String conversion;

  TorchConversion(
      CompileRequest request, EnginePlan plan, TorchInputs inputs, int opset, Duration timeout) {
    this.request = request;
    this.plan = plan;
    this.inputs = inputs;
    this.opset = opset;
    this.timeout = timeout;
  }

  @Override
  public Onnx onnx(Path workDir) throws IOException {
    try (TorchModule source = TorchModule.open(request.source())) {
      // Shape errors read better from libtorch here than from the exporter's traceback.
      TorchTrial.run(source, inputs, fileName(), request.tolerance());
    }
    exported =
        OnnxExport.run(
            plan.python(),
            request.source(),
            inputs,
            opset,
            timeout,
            Files.createDirectories(workDir.resolve("convert")));
    conversion =
        "converted TorchScript to ONNX opset "
            + exported.opset()
            + " with torch "
            + exported.torchVersion()
            + " ("
            + plan.why()
            + ")";
    return new Onnx(exported.onnx(), conversion);
  }

  /**
   * The ONNX stages checked the payload against the export; this checks it against what the user
   * gave, so an export that changed the model's meaning cannot pass. For {@code --quantize} the
   * fp32 payload is checked here: the gate already judged the reduced one against it.
   */
  @Override
  public SourceCheck check(Map<String, HostTensor> sample, Path fp32Payload, LoadLevel level)
      throws OrtFailure {
    List<HostTensor> torchInputs = torchOrder(sample);
    CompileSteps.Comparison comparison = CompileSteps.comparison();
    try (TorchModule source = TorchModule.open(request.source());
        HostSession payload = HostSession.open(fp32Payload, level, 1)) {
      List<HostTensor> expected = run(source, torchInputs);
      comparison.compare(
          0,
          TorchInputs.namedOutputs(expected),
          payload.run(inputs.named(torchInputs)),
          request.tolerance());
    }
    String libtorch = TorchModule.engineVersion();
    if (!comparison.passed()) {
      throw new CompileException(
          CompileErrorCode.VERIFICATION_FAILED,
          String.format(
              "the ONNX artifact differs from the TorchScript source (run by libtorch %s) beyond"
                  + " tolerance %.1e: max abs error %.3e (worst: %s). The export changed the"
                  + " model; nothing was written. Compile with --engine pytorch to ship the"
                  + " TorchScript as is, or try another opset with KILN_ONNX_OPSET.",
              libtorch, request.tolerance(), comparison.maxAbs(), comparison.worstDetail()));
    }
    return new SourceCheck(
        "payload vs the TorchScript source in libtorch " + libtorch + " on the sample",
        comparison.maxAbs(),
        comparison.maxRel(),
        comparison.worstOutput(),
        comparison.worstDetail() + " (vs TorchScript)",
        String.format("vs the TorchScript in libtorch: max abs error %.2e", comparison.maxAbs()));
  }

  @Override
  public Timed time(
      Path onnx,
      Path shipped,
      LoadLevel level,
      Map<String, HostTensor> sample,
      int threads,
      int runs)
      throws OrtFailure {
    List<HostTensor> torchInputs = torchOrder(sample);
    Manifest.Benchmark b =
        TorchBenchmark.torchVsOrt(
            request.source(),
            torchInputs,
            shipped,
            level,
            inputs.named(torchInputs),
            threads,
            runs);
    return new Timed(
        b,
        String.format(
            "p50 %.3f ms (TorchScript, libtorch) -> %.3f ms (ONNX Runtime)",
            b.source().p50Ms(), b.compiled().p50Ms()));
  }

  @Override
  public Manifest asSource(Manifest onnx, int onnxNodes) throws IOException {
    List<Manifest.PassRecord> passes = new ArrayList<>();
    passes.add(conversionPass(onnxNodes, onnx.benchmark()));
    passes.addAll(onnx.passes());
    return new Manifest(
        onnx.formatVersion(),
        onnx.model(),
        new Manifest.SourceInfo("torchscript", fileName(), Sha256.of(request.source()), null),
        onnx.target(),
        onnx.engine(),
        onnx.payload(),
        onnx.signature(),
        passes,
        onnx.verification(),
        onnx.benchmark(),
        new Manifest.Sizes(Files.size(request.source()), onnx.sizes().payloadBytes()),
        onnx.compiler(),
        onnx.quantization());
  }

  @Override
  public List<String> warnings() {
    return plan.warnings();
  }

  /** Failures after the conversion name it: the ONNX they concern is the export, not the file. */
  @Override
  public CompileException explain(CompileException e) {
    if (conversion == null) {
      return e;
    }
    return new CompileException(
        e.code(),
        "after converting " + fileName() + " to ONNX (" + conversion + "): " + e.getMessage(),
        e);
  }

  private List<HostTensor> torchOrder(Map<String, HostTensor> sample) {
    List<HostTensor> ordered = new ArrayList<>();
    for (String name : inputs.names()) {
      ordered.add(sample.get(name));
    }
    return ordered;
  }

  private Manifest.PassRecord conversionPass(int nodes, Manifest.Benchmark benchmark) {
    String detail = "torch.onnx.export without constant folding; Kiln folds and fuses below";
    if (benchmark != null) {
      detail +=
          String.format(
              "; on this host ONNX Runtime runs it in %.3f ms p50 vs %.3f ms for the"
                  + " TorchScript in libtorch",
              benchmark.compiled().p50Ms(), benchmark.source().p50Ms());
    }
    return new Manifest.PassRecord(
        "torchscript-to-onnx (opset "
            + exported.opset()
            + ", torch "
            + exported.torchVersion()
            + ")",
        true,
        0,
        nodes,
        detail);
  }

  private String fileName() {
    return request.source().getFileName().toString();
  }

  private static List<HostTensor> run(TorchModule module, List<HostTensor> inputs) {
    try {
      return module.run(inputs);
    } catch (TorchModule.ForwardFailed e) {
      throw new CompileException(
          CompileErrorCode.VERIFICATION_FAILED,
          "the TorchScript source failed on the verification sample: " + e.reason(),
          e);
    }
  }
}
