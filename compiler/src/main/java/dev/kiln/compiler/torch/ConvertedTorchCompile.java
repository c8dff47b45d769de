package dev.kiln.compiler.torch;

import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.Sha256;
import dev.kiln.artifact.VerificationSample;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.HostSession;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.LoadLevel;
import dev.kiln.compiler.ort.OrtFailure;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.CompileStage;
import dev.kiln.compiler.pipeline.CompileSteps;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.StageRunner;
import dev.kiln.profile.DeviceProfiles;
import dev.kiln.profile.InferenceEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ONNX path: export the TorchScript to ONNX with the host's torch, compile that with the ONNX
 * pipeline unchanged (into the work directory, unsigned, unbenchmarked), then check the optimized
 * payload against the original TorchScript in libtorch, time the two against each other, and
 * repackage with the TorchScript as the manifest's source.
 */
final class ConvertedTorchCompile {
  private ConvertedTorchCompile() {}

  static CompileReport run(TorchJob job, DeviceProfiles profiles, int opset, Duration timeout)
      throws IOException, OrtFailure {
    CompileRequest request = job.request();
    long start = System.currentTimeMillis();
    job.progress().started(CompileStage.LOAD);
    try (TorchModule source = TorchModule.open(job.source())) {
      // Shape errors read better from libtorch here than from the exporter's traceback.
      TorchTrial.run(source, job.inputs(), job.fileName(), request.tolerance());
    }
    OnnxExport.Exported exported =
        OnnxExport.run(
            job.plan().python(),
            job.source(),
            job.inputs(),
            opset,
            timeout,
            Files.createDirectories(job.workDir().resolve("convert")));
    String conversion =
        "converted TorchScript to ONNX opset "
            + exported.opset()
            + " with torch "
            + exported.torchVersion()
            + " ("
            + job.plan().why()
            + ")";
    StageRelay relay = new StageRelay(job.progress(), conversion, elapsed(start));

    CompileReport inner;
    try {
      inner = new Compiler(profiles, relay).compile(innerRequest(job, exported.onnx()));
    } catch (CompileException e) {
      throw new CompileException(
          e.code(),
          "after converting " + job.fileName() + " to ONNX (" + conversion + "): " + e.getMessage(),
          e);
    }
    Artifact staged = Artifact.open(inner.artifactPath());
    Manifest compiled = staged.manifest();
    LoadLevel level =
        LoadLevel.fromManifestName(compiled.engine().sessionOptions().get("optLevel"));

    // The inner compile checked the payload against the exported ONNX; this checks it against
    // what the user gave, so an export that changed the model's meaning cannot pass.
    VerificationSample sample = staged.sample();
    List<HostTensor> torchInputs = new ArrayList<>();
    for (String name : job.inputs().names()) {
      torchInputs.add(HostTensor.of(sample.inputs().get(name)));
    }
    Map<String, HostTensor> ortInputs = job.inputs().named(torchInputs);
    CompileSteps.Comparison comparison = CompileSteps.comparison();
    try (TorchModule source = TorchModule.open(job.source());
        HostSession payload = HostSession.open(staged.payloadPath(), level, 1)) {
      List<HostTensor> expected = run(source, torchInputs);
      TorchTrial.checkReference(job.inputs(), expected, job.fileName(), request.tolerance());
      comparison.compare(
          0, TorchInputs.namedOutputs(expected), payload.run(ortInputs), request.tolerance());
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
    Manifest.Verification verification = merge(compiled.verification(), comparison, libtorch);
    job.progress()
        .finished(
            CompileStage.VERIFY,
            relay.verifySummary()
                + String.format(
                    "; vs the TorchScript in libtorch: max abs error %.2e", comparison.maxAbs()),
            System.currentTimeMillis() - relay.verifyStarted());

    StageRunner stages = new StageRunner(job.progress());
    Manifest.Benchmark benchmark = null;
    if (request.skipBenchmark()) {
      stages.skip(CompileStage.BENCHMARK, "--skip-benchmark");
    } else {
      StageRunner.Running benchmarking = stages.start(CompileStage.BENCHMARK);
      benchmark =
          TorchBenchmark.torchVsOrt(
              job.source(),
              torchInputs,
              staged.payloadPath(),
              level,
              ortInputs,
              job.hostThreads(),
              request.benchmarkRuns());
      benchmarking.finish(
          String.format(
              "p50 %.3f ms (TorchScript, libtorch) -> %.3f ms (ONNX Runtime)",
              benchmark.source().p50Ms(), benchmark.compiled().p50Ms()));
    }

    StageRunner.Running packaging = stages.start(CompileStage.PACKAGE);
    List<Manifest.PassRecord> passes = new ArrayList<>();
    passes.add(conversionPass(exported, inner.nodesBefore(), benchmark));
    passes.addAll(compiled.passes());
    Manifest manifest =
        new Manifest(
            compiled.formatVersion(),
            compiled.model(),
            new Manifest.SourceInfo("torchscript", job.fileName(), Sha256.of(job.source()), null),
            compiled.target(),
            compiled.engine(),
            compiled.payload(),
            compiled.signature(),
            passes,
            verification,
            benchmark,
            new Manifest.Sizes(Files.size(job.source()), compiled.sizes().payloadBytes()),
            compiled.compiler());
    CompileSteps.write(
        job.workDir(),
        staged.payloadPath(),
        manifest,
        sample,
        job.key(),
        job.destination(),
        request);
    packaging.finish(job.destination() + (job.key() != null ? " (signed)" : " (unsigned)"));

    List<String> warnings = new ArrayList<>(inner.warnings());
    warnings.addAll(job.plan().warnings());
    return new CompileReport(
        job.destination().toString(),
        inner.model(),
        inner.version(),
        inner.profile(),
        inner.arch(),
        inner.engine(),
        inner.executionProviders(),
        inner.optimizerLevel(),
        inner.optimizerReason(),
        inner.payloadFormat(),
        inner.opsBefore(),
        inner.opsAfter(),
        inner.nodesBefore(),
        inner.nodesAfter(),
        passes,
        manifest.sizes().sourceBytes(),
        manifest.sizes().payloadBytes(),
        verification,
        comparison.maxAbs() > compiled.verification().maxAbsError()
            ? comparison.worstDetail() + " (vs TorchScript)"
            : inner.worstDifference(),
        benchmark,
        warnings,
        job.key() != null,
        "torchscript",
        inner.inputShapes());
  }

  /** The inner compile: the exported ONNX, into the work directory, for this job's target. */
  private static CompileRequest innerRequest(TorchJob job, Path onnx) {
    CompileRequest r = job.request();
    return CompileRequest.builder(onnx)
        .target(r.target())
        .device(r.device())
        .inputShapes(Map.of()) // the export already fixed the shapes given with --input-shape
        .name(job.name())
        .version(r.version())
        .output(job.workDir().resolve("onnx-artifact"))
        .directoryOutput(true)
        .tolerance(r.tolerance())
        .calibrationData(r.calibrationData())
        .verifySamples(r.verifySamples())
        .skipBenchmark(true)
        .benchmarkRuns(r.benchmarkRuns())
        .engine(InferenceEngine.ONNXRUNTIME)
        .build();
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

  private static Manifest.Verification merge(
      Manifest.Verification onnx, CompileSteps.Comparison torch, String libtorch) {
    boolean torchWorse = torch.maxAbs() > onnx.maxAbsError();
    return new Manifest.Verification(
        true,
        onnx.method()
            + "; payload vs the TorchScript source in libtorch "
            + libtorch
            + " on the"
            + " sample",
        onnx.samples(),
        Math.max(onnx.maxAbsError(), torch.maxAbs()),
        Math.max(onnx.maxRelError(), torch.maxRel()),
        onnx.tolerance(),
        torchWorse ? torch.worstOutput() : onnx.worstOutput(),
        onnx.sampleFile(),
        onnx.sampleSha256());
  }

  private static Manifest.PassRecord conversionPass(
      OnnxExport.Exported exported, int nodes, Manifest.Benchmark benchmark) {
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

  private static long elapsed(long start) {
    return System.currentTimeMillis() - start;
  }
}
