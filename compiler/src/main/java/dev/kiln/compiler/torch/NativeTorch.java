package dev.kiln.compiler.torch;

import dev.kiln.artifact.ArtifactFormat;
import dev.kiln.artifact.Json;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.Sha256;
import dev.kiln.artifact.TensorData;
import dev.kiln.artifact.VerificationSample;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.CompileSteps;
import dev.kiln.compiler.pipeline.FrontEnd;
import dev.kiln.compiler.pipeline.KilnVersion;
import dev.kiln.compiler.pipeline.ResolvedTarget;
import dev.kiln.compiler.pipeline.Stage;
import dev.kiln.profile.Arch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * TorchScript shipped as is, as {@code model.pt} for libtorch. Kiln's part is to prove it loads and
 * runs on the given shapes, record its signature, check that the packaged copy reproduces the
 * source's outputs when loaded afresh, time it, and package it. There is no ONNX Runtime here, so
 * neither Kiln's offline optimizations nor {@code --quantize} apply; their stages say so.
 */
final class NativeTorch implements FrontEnd {
  static final String PAYLOAD = "model.pt";

  private final CompileRequest request;
  private final ResolvedTarget target;
  private final EnginePlan plan;
  private final TorchInputs inputs;

  private Path workDir;
  private TorchModule source;
  private String libtorch;
  private List<List<HostTensor>> expected;
  private Manifest.IoSignature signature;
  private Path payload;
  private String worstDetail;
  private VerificationSample sample;
  private Manifest.Verification verification;
  private Manifest.Benchmark benchmark;

  NativeTorch(CompileRequest request, ResolvedTarget target, EnginePlan plan, TorchInputs inputs) {
    this.request = request;
    this.target = target;
    this.plan = plan;
    this.inputs = inputs;
  }

  @Override
  public Stage load(Path workDir) {
    this.workDir = workDir;
    return Stage.run(
        () -> {
          source = TorchModule.open(request.source());
          libtorch = TorchModule.engineVersion();
          return "TorchScript archive, loaded by libtorch " + libtorch + "; engine: " + plan.why();
        });
  }

  /** Nothing to fix in a TorchScript file: this is where its shapes are proven to run. */
  @Override
  public Stage specialize() {
    return Stage.run(
        () -> {
          expected = TorchTrial.run(source, inputs, fileName(), request.tolerance());
          close();
          signature = inputs.signature(expected.get(0));
          return "forward runs on "
              + inputs.describe()
              + (inputs.fixed() ? " (fixed)" : " (batch axis dynamic)")
              + " -> "
              + signature.outputs().size()
              + " output(s)";
        });
  }

  @Override
  public Stage optimize() {
    return Stage.skip(
        "TorchScript ships as traced or scripted; libtorch optimizes it when it loads"
            + " (--engine onnxruntime gets Kiln's offline optimizations)");
  }

  @Override
  public Stage quantize() {
    // --quantize with this engine is refused before any work (TorchFrontEnd).
    return Stage.skip("no --quantize");
  }

  @Override
  public Stage verify() {
    return Stage.run(this::verifyPackagedCopy);
  }

  private String verifyPackagedCopy() throws IOException {
    payload = Files.createDirectories(workDir.resolve("payload")).resolve(PAYLOAD);
    Files.copy(request.source(), payload);
    CompileSteps.Comparison comparison = CompileSteps.comparison();
    try (TorchModule packaged = TorchModule.open(payload)) {
      for (int i = 0; i < inputs.sets().size(); i++) {
        List<HostTensor> actual;
        try {
          actual = packaged.run(inputs.sets().get(i));
        } catch (TorchModule.ForwardFailed e) {
          throw new CompileException(
              CompileErrorCode.VERIFICATION_FAILED,
              "the packaged model failed where the source ran: " + e.reason(),
              e);
        }
        comparison.compare(
            i,
            TorchInputs.namedOutputs(expected.get(i)),
            TorchInputs.namedOutputs(actual),
            request.tolerance());
      }
    }
    sample =
        VerificationSample.relativeToOutputMax(
            data(inputs.named(inputs.sets().get(0))),
            data(TorchInputs.namedOutputs(expected.get(0))),
            request.tolerance());
    if (!comparison.passed()) {
      throw new CompileException(
          CompileErrorCode.VERIFICATION_FAILED,
          String.format(
              "the packaged TorchScript, loaded afresh, differs from the first run beyond tolerance"
                  + " %.1e: max abs error %.3e (worst: %s). The model is not deterministic on"
                  + " these inputs; nothing was written.",
              request.tolerance(), comparison.maxAbs(), comparison.worstDetail()));
    }
    worstDetail = comparison.worstDetail();
    verification =
        new Manifest.Verification(
            true,
            "pytorch-cpu (libtorch "
                + libtorch
                + "), packaged model reloaded, "
                + (inputs.calibration() != null ? "calibration data" : "seeded random inputs"),
            inputs.sets().size(),
            comparison.maxAbs(),
            comparison.maxRel(),
            request.tolerance(),
            comparison.worstOutput(),
            ArtifactFormat.SAMPLE,
            Sha256.of(Json.toBytes(sample)));
    return String.format(
        "max abs error %.2e on %d samples (tolerance %.0e)",
        comparison.maxAbs(), inputs.sets().size(), request.tolerance());
  }

  @Override
  public Stage benchmark() {
    if (request.skipBenchmark()) {
      return Stage.skip("--skip-benchmark");
    }
    return Stage.run(
        () -> {
          benchmark =
              TorchBenchmark.torchVsTorch(
                  request.source(), payload, inputs.sets().get(0), request.benchmarkRuns());
          return String.format(
              "p50 %.3f ms, load %.1f ms (libtorch)",
              benchmark.compiled().p50Ms(), benchmark.compiled().loadMs());
        });
  }

  @Override
  public Contents contents() throws IOException {
    var profile = target.profile();
    int threads = profile.runtime().threads();
    // Thread counts under the system properties DJL's PyTorch engine reads once per process.
    Map<String, String> options = new LinkedHashMap<>();
    options.put("ai.djl.pytorch.num_threads", Integer.toString(threads));
    options.put("ai.djl.pytorch.num_interop_threads", "1");
    String nativeJar =
        "ai.djl.pytorch:pytorch-native-cpu:"
            + libtorch
            + ":"
            + (profile.arch() == Arch.ARM64 ? "linux-aarch64" : "linux-x86_64");
    long payloadBytes = Files.size(payload);
    Manifest manifest =
        new Manifest(
            ArtifactFormat.VERSION,
            new Manifest.ModelInfo(CompileSteps.defaultName(request), request.version()),
            new Manifest.SourceInfo("torchscript", fileName(), Sha256.of(request.source()), null),
            CompileSteps.targetInfo(profile),
            new Manifest.EngineInfo(
                "pytorch", libtorch, List.of(), threads, options, List.of(nativeJar)),
            new Manifest.Payload(PAYLOAD, "torchscript", payloadBytes, Sha256.of(payload)),
            signature,
            List.of(),
            verification,
            benchmark,
            new Manifest.Sizes(Files.size(request.source()), payloadBytes),
            new Manifest.CompilerInfo("kiln", KilnVersion.get()));
    return new Contents(payload, manifest, sample);
  }

  @Override
  public CompileReport report(Path destination, Manifest manifest, boolean signed) {
    return new CompileReport(
        destination.toString(),
        manifest.model().name(),
        request.version(),
        target.profile().name(),
        target.arch(),
        manifest.engine().name(),
        manifest.engine().executionProviders(),
        "none",
        "none: TorchScript ships as given; libtorch optimizes it at load",
        "torchscript",
        new TreeMap<>(),
        new TreeMap<>(),
        0,
        0,
        manifest.passes(),
        manifest.sizes().sourceBytes(),
        manifest.sizes().payloadBytes(),
        verification,
        worstDetail,
        benchmark,
        plan.warnings(),
        signed,
        "torchscript",
        inputs.describe()
            + " ("
            + (inputs.calibration() != null ? "calibration data" : "--input-shape")
            + ")");
  }

  @Override
  public void close() {
    if (source != null) {
      source.close();
      source = null;
    }
  }

  private String fileName() {
    return request.source().getFileName().toString();
  }

  private static Map<String, TensorData> data(Map<String, HostTensor> tensors) {
    Map<String, TensorData> out = new LinkedHashMap<>();
    tensors.forEach((name, t) -> out.put(name, t.toData()));
    return out;
  }
}
