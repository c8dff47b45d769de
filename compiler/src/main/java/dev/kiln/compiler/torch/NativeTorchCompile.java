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
import dev.kiln.compiler.pipeline.CompileStage;
import dev.kiln.compiler.pipeline.CompileSteps;
import dev.kiln.compiler.pipeline.StageRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The PyTorch path: the TorchScript ships unchanged as {@code model.pt} for libtorch. Kiln's part
 * is to prove it loads and runs on the given shapes, record its signature, check that the packaged
 * copy reproduces the source's outputs when loaded afresh, time it, and package it.
 */
final class NativeTorchCompile {
  static final String PAYLOAD = "model.pt";

  private NativeTorchCompile() {}

  static CompileReport run(TorchJob job) throws IOException {
    CompileRequest request = job.request();
    StageRunner stages = new StageRunner(job.progress());
    TorchInputs inputs = job.inputs();

    StageRunner.Running loading = stages.start(CompileStage.LOAD);
    List<List<HostTensor>> expected;
    String libtorch;
    StageRunner.Running specializing;
    try (TorchModule source = TorchModule.open(job.source())) {
      libtorch = TorchModule.engineVersion();
      loading.finish(
          "TorchScript archive, loaded by libtorch " + libtorch + "; engine: " + job.plan().why());

      specializing = stages.start(CompileStage.SPECIALIZE);
      expected = TorchTrial.run(source, inputs, job.fileName(), request.tolerance());
    }
    Manifest.IoSignature signature = inputs.signature(expected.get(0));
    specializing.finish(
        "forward runs on "
            + inputs.describe()
            + (inputs.fixed() ? " (fixed)" : " (batch axis dynamic)")
            + " -> "
            + signature.outputs().size()
            + " output(s)");
    stages.skip(
        CompileStage.OPTIMIZE,
        "TorchScript ships as traced or scripted; libtorch optimizes it when it loads"
            + " (--engine onnxruntime gets Kiln's offline optimizations)");

    StageRunner.Running verifying = stages.start(CompileStage.VERIFY);
    Path payload = Files.createDirectories(job.workDir().resolve("payload")).resolve(PAYLOAD);
    Files.copy(job.source(), payload);
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
    VerificationSample sample =
        new VerificationSample(
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
    Manifest.Verification verification =
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
    verifying.finish(
        String.format(
            "max abs error %.2e on %d samples (tolerance %.0e)",
            comparison.maxAbs(), inputs.sets().size(), request.tolerance()));

    Manifest.Benchmark benchmark = null;
    if (request.skipBenchmark()) {
      stages.skip(CompileStage.BENCHMARK, "--skip-benchmark");
    } else {
      StageRunner.Running benchmarking = stages.start(CompileStage.BENCHMARK);
      benchmark =
          TorchBenchmark.torchVsTorch(
              job.source(), payload, inputs.sets().get(0), request.benchmarkRuns());
      benchmarking.finish(
          String.format(
              "p50 %.3f ms, load %.1f ms (libtorch)",
              benchmark.compiled().p50Ms(), benchmark.compiled().loadMs()));
    }

    StageRunner.Running packaging = stages.start(CompileStage.PACKAGE);
    Manifest manifest = manifest(job, libtorch, payload, signature, verification, benchmark);
    CompileSteps.write(
        job.workDir(), payload, manifest, sample, job.key(), job.destination(), request);
    packaging.finish(job.destination() + (job.key() != null ? " (signed)" : " (unsigned)"));

    return new CompileReport(
        job.destination().toString(),
        job.name(),
        request.version(),
        job.target().profile().name(),
        job.target().arch(),
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
        comparison.worstDetail(),
        benchmark,
        job.plan().warnings(),
        job.key() != null,
        "torchscript",
        inputs.describe()
            + " ("
            + (inputs.calibration() != null ? "calibration data" : "--input-shape")
            + ")");
  }

  private static Manifest manifest(
      TorchJob job,
      String libtorch,
      Path payload,
      Manifest.IoSignature signature,
      Manifest.Verification verification,
      Manifest.Benchmark benchmark)
      throws IOException {
    var profile = job.target().profile();
    int threads = profile.runtime().threads();
    // Thread counts under the system properties DJL's PyTorch engine reads once per process.
    Map<String, String> options = new LinkedHashMap<>();
    options.put("ai.djl.pytorch.num_threads", Integer.toString(threads));
    options.put("ai.djl.pytorch.num_interop_threads", "1");
    String nativeJar =
        "ai.djl.pytorch:pytorch-native-cpu:"
            + libtorch
            + ":"
            + (profile.arch() == dev.kiln.profile.Arch.ARM64 ? "linux-aarch64" : "linux-x86_64");
    long payloadBytes = Files.size(payload);
    return new Manifest(
        ArtifactFormat.VERSION,
        new Manifest.ModelInfo(job.name(), job.request().version()),
        new Manifest.SourceInfo("torchscript", job.fileName(), Sha256.of(job.source()), null),
        CompileSteps.targetInfo(profile),
        new Manifest.EngineInfo(
            "pytorch", libtorch, List.of(), threads, options, List.of(nativeJar)),
        new Manifest.Payload(PAYLOAD, "torchscript", payloadBytes, Sha256.of(payload)),
        signature,
        List.of(),
        verification,
        benchmark,
        new Manifest.Sizes(Files.size(job.source()), payloadBytes),
        new Manifest.CompilerInfo("kiln", dev.kiln.compiler.pipeline.KilnVersion.get()));
  }

  static Map<String, TensorData> data(Map<String, HostTensor> tensors) {
    Map<String, TensorData> out = new LinkedHashMap<>();
    tensors.forEach((name, t) -> out.put(name, t.toData()));
    return out;
  }
}
