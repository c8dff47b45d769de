package dev.kiln.compiler.pipeline;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.Sha256;
import dev.kiln.compiler.ir.OpHistogram;
import dev.kiln.compiler.ort.OrtOfflineOptimizer.OptimizerLevel;
import dev.kiln.compiler.ort.OrtSessions;
import dev.kiln.compiler.torch.TorchCompiler;
import dev.kiln.profile.Arch;
import dev.kiln.profile.DeviceProfile;
import dev.kiln.profile.DeviceProfiles;
import dev.kiln.profile.ProfileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles an ONNX model for one target: the six stages of {@link CompileStage}, with all
 * intermediate files in a private work directory and the artifact moved into place only at the end.
 */
public final class Compiler {
  private final DeviceProfiles profiles;
  private final ProgressListener progress;

  public Compiler(DeviceProfiles profiles, ProgressListener progress) {
    this.profiles = profiles;
    this.progress = progress;
  }

  public CompileReport compile(CompileRequest request) {
    if (TorchCompiler.handles(request)) {
      return new TorchCompiler(profiles, progress).compile(request);
    }
    ResolvedTarget target = resolveTarget(request);
    checkSource(request.source());
    String name = request.name() != null ? request.name() : baseName(request.source());
    Path destination =
        Packager.destination(request, name, request.version(), target.profile().name());
    Packager.checkDestination(destination, request.force());
    var key = Packager.signingKey(request.signKey());
    Path workDir = null;
    try {
      workDir = Files.createTempDirectory("kiln-compile").toAbsolutePath();
      return compileIn(workDir, request, target, name, destination, key != null ? key : null);
    } catch (IOException e) {
      throw new CompileException(CompileErrorCode.IO_ERROR, "I/O error: " + e.getMessage(), e);
    } catch (OrtException e) {
      throw new CompileException(
          CompileErrorCode.UNSUPPORTED_MODEL,
          "ONNX Runtime rejected the model: " + e.getMessage(),
          e);
    } finally {
      deleteQuietly(workDir);
    }
  }

  private CompileReport compileIn(
      Path workDir,
      CompileRequest request,
      ResolvedTarget target,
      String name,
      Path destination,
      java.security.KeyPair key)
      throws IOException, OrtException {
    OnnxFrontEnd.Result front =
        OnnxFrontEnd.run(
            request.source(),
            request.inputShapes(),
            request.calibrationData() != null,
            target,
            workDir,
            progress);
    OptLevel deviceLevel = deviceLoadLevel(target);

    long start = System.currentTimeMillis();
    progress.started(CompileStage.VERIFY);
    Verifier.Outcome verified =
        Verifier.verify(
            front.referenceModel(), front.payload(), deviceLevel, request, front.generatedSizes());
    progress.finished(
        CompileStage.VERIFY,
        String.format(
            "max abs error %.2e on %d samples (tolerance %.0e)",
            verified.verification().maxAbsError(),
            verified.verification().samples(),
            request.tolerance()),
        System.currentTimeMillis() - start);

    Manifest.Benchmark benchmark = null;
    if (request.skipBenchmark()) {
      progress.skipped(CompileStage.BENCHMARK, "--skip-benchmark");
    } else {
      start = System.currentTimeMillis();
      progress.started(CompileStage.BENCHMARK);
      benchmark =
          HostBenchmark.run(
              request.source(),
              front.payload(),
              verified.firstInputs(),
              request.benchmarkRuns(),
              Math.min(
                  target.profile().runtime().threads(),
                  Runtime.getRuntime().availableProcessors()));
      progress.finished(
          CompileStage.BENCHMARK,
          String.format(
              "p50 %.3f ms -> %.3f ms, load %.1f ms -> %.1f ms",
              benchmark.source().p50Ms(),
              benchmark.compiled().p50Ms(),
              benchmark.source().loadMs(),
              benchmark.compiled().loadMs()),
          System.currentTimeMillis() - start);
    }

    start = System.currentTimeMillis();
    progress.started(CompileStage.PACKAGE);
    Manifest manifest =
        ManifestFactory.onnx(
            request,
            target,
            name,
            front,
            deviceLevel,
            signature(front.payload(), deviceLevel),
            verified.verification(),
            benchmark);
    Packager.write(
        workDir,
        front.payload(),
        manifest,
        verified.sample(),
        key,
        destination,
        request.directoryOutput(),
        request.force());
    progress.finished(
        CompileStage.PACKAGE,
        destination + (key != null ? " (signed)" : " (unsigned)"),
        System.currentTimeMillis() - start);

    OpHistogram after = front.afterPasses();
    return new CompileReport(
        destination.toString(),
        name,
        request.version(),
        target.profile().name(),
        target.arch(),
        manifest.engine().name(),
        manifest.engine().executionProviders(),
        target.optimizerLevel().name().toLowerCase(java.util.Locale.ROOT),
        target.levelReason(),
        front.payloadFormat(),
        front.before().ops(),
        after.ops(),
        front.before().nodeCount(),
        after.nodeCount(),
        manifest.passes(),
        manifest.sizes().sourceBytes(),
        manifest.sizes().payloadBytes(),
        verified.verification(),
        verified.worstDetail(),
        benchmark,
        withNotes(front.warnings(), verified.notes()),
        key != null,
        manifest.source().framework(),
        inputShapes(verified.firstInputs(), request, front.shapeNote()));
  }

  private static List<String> withNotes(List<String> warnings, List<String> notes) {
    List<String> out = new java.util.ArrayList<>(warnings);
    out.addAll(notes);
    return out;
  }

  /** What the report says about the shapes verification and the benchmark ran at. */
  static String inputShapes(
      Map<String, dev.kiln.compiler.ort.HostTensor> inputs, CompileRequest request, String note) {
    String origin =
        request.calibrationData() != null
            ? "calibration data"
            : request.inputShapes().isEmpty() ? "seeded random inputs" : "--input-shape";
    return Verifier.describe(inputs) + " (" + origin + (note.isEmpty() ? "" : "; " + note) + ")";
  }

  /**
   * A payload optimized at ALL is final for its ISA; lower levels leave the device to add its own
   * hardware-specific transforms at load time, which only it can choose correctly.
   */
  static OptLevel deviceLoadLevel(ResolvedTarget target) {
    return target.optimizerLevel() == OptimizerLevel.ALL ? OptLevel.NO_OPT : OptLevel.ALL_OPT;
  }

  private static Manifest.IoSignature signature(Path payload, OptLevel level) throws OrtException {
    try (OrtSession session = OrtSessions.open(payload, level, 1)) {
      return new Manifest.IoSignature(
          specs(OrtSessions.inputs(session)), specs(OrtSessions.outputs(session)));
    }
  }

  private static List<Manifest.TensorSpec> specs(Map<String, TensorInfo> infos) {
    List<Manifest.TensorSpec> out = new ArrayList<>();
    infos.forEach(
        (name, info) -> {
          List<Long> shape = new ArrayList<>();
          for (long d : info.getShape()) {
            shape.add(d < 0 ? -1L : d);
          }
          out.add(new Manifest.TensorSpec(name, DTypes.numpyName(info.type), shape));
        });
    return out;
  }

  ResolvedTarget resolveTarget(CompileRequest request) {
    DeviceProfile profile;
    try {
      if (request.device() != null) {
        profile = profiles.get(request.device());
      } else if (request.target() != null) {
        profile = profiles.forTarget(request.target());
      } else {
        profile = profiles.forArch(Arch.host());
      }
    } catch (ProfileException e) {
      throw new CompileException(CompileErrorCode.UNKNOWN_TARGET, e.getMessage(), e);
    }
    return ResolvedTarget.of(profile, Arch.host(), HostCpu.features());
  }

  private static void checkSource(Path source) {
    if (source == null || !Files.isRegularFile(source)) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT,
          "no model file at " + source + "; give the path to an .onnx or TorchScript .pt file");
    }
  }

  static String baseName(Path source) {
    String file = source.getFileName().toString();
    int dot = file.lastIndexOf('.');
    return dot > 0 ? file.substring(0, dot) : file;
  }

  static String sha256(Path file) {
    try {
      return Sha256.of(file);
    } catch (IOException e) {
      throw new CompileException(CompileErrorCode.IO_ERROR, "cannot read " + file, e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      ArtifactWriter.deleteTree(dir);
    } catch (IOException | RuntimeException ignored) {
      // Temp space; the OS cleans what we could not.
    }
  }

  static Map<String, String> sessionOptions(OptLevel level, int threads) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("optLevel", level.name());
    options.put("intraOpNumThreads", Integer.toString(threads));
    options.put("interOpNumThreads", "1");
    return options;
  }
}
