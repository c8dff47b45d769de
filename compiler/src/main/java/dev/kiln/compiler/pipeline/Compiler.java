package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.Sha256;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ir.OpHistogram;
import dev.kiln.compiler.ort.HostSession;
import dev.kiln.compiler.ort.IoTensor;
import dev.kiln.compiler.ort.LoadLevel;
import dev.kiln.compiler.ort.OrtFailure;
import dev.kiln.compiler.ort.OrtOfflineOptimizer.OptimizerLevel;
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
import java.util.ServiceLoader;

/**
 * Compiles an ONNX model for one target: the six stages of {@link CompileStage}, with all
 * intermediate files in a private work directory and the artifact moved into place only at the end.
 */
public final class Compiler {
  /** Front ends for sources other than ONNX, e.g. TorchScript; ONNX is this class's own. */
  private static final List<FrontEndPlugin> PLUGINS =
      ServiceLoader.load(FrontEndPlugin.class, Compiler.class.getClassLoader()).stream()
          .map(ServiceLoader.Provider::get)
          .toList();

  private final DeviceProfiles profiles;
  private final ProgressListener progress;

  public Compiler(DeviceProfiles profiles, ProgressListener progress) {
    this.profiles = profiles;
    this.progress = progress;
  }

  public CompileReport compile(CompileRequest request) {
    for (FrontEndPlugin plugin : PLUGINS) {
      if (plugin.handles(request)) {
        return plugin.compile(request, profiles, progress);
      }
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
    } catch (OrtFailure e) {
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
      throws IOException, OrtFailure {
    StageRunner stages = new StageRunner(progress);
    OnnxFrontEnd.Result front =
        OnnxFrontEnd.run(
            request.source(),
            request.inputShapes(),
            request.calibrationData() != null,
            target,
            workDir,
            stages);
    LoadLevel deviceLevel = deviceLoadLevel(target);
    QuantizeStage.Result reduced = quantize(request, target, front, deviceLevel, workDir, stages);
    Verifier.Outcome verified =
        stages.run(CompileStage.VERIFY, () -> verify(request, front, reduced, deviceLevel));

    BenchmarkStage.Shipping shipping =
        BenchmarkStage.run(stages, request, target, front, reduced, deviceLevel, verified);
    verified = shipping.verified();
    Path shipped = shipping.payload();
    ReducedChoice choice = shipping.choice();
    Manifest.Benchmark benchmark = shipping.benchmark();
    boolean shipReduced = shipping.shipsReduced();

    StageRunner.Running packaging = stages.start(CompileStage.PACKAGE);
    Manifest manifest =
        ManifestFactory.onnx(
            request,
            target,
            name,
            front,
            shipped,
            deviceLevel,
            signature(
                reduced != null && reduced.mode() == QuantizeMode.FP16 ? front.payload() : shipped,
                deviceLevel),
            verified.verification(),
            benchmark,
            shipReduced ? QuantizationManifest.of(reduced) : null);
    Packager.write(
        workDir,
        shipped,
        manifest,
        verified.sample(),
        key,
        destination,
        request.directoryOutput(),
        request.force());
    packaging.finish(destination + (key != null ? " (signed)" : " (unsigned)"));

    OpHistogram after = front.afterPasses();
    List<String> warnings = withNotes(front.warnings(), verified.notes());
    QuantizationReport quantization = null;
    if (reduced != null) {
      warnings.addAll(reduced.samples().warnings());
      warnings.addAll(choice.warnings());
      quantization = choice.report(request, front, reduced);
    }
    warnings = new ArrayList<>(new java.util.LinkedHashSet<>(warnings));
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
        warnings,
        key != null,
        manifest.source().framework(),
        inputShapes(
            verified.firstInputs(),
            request,
            front.shapeNote(),
            shipReduced ? reduced.samples().origin() : null),
        quantization);
  }

  /** The quantize stage, or null (and the stage skipped) when the request keeps fp32. */
  private static QuantizeStage.Result quantize(
      CompileRequest request,
      ResolvedTarget target,
      OnnxFrontEnd.Result front,
      LoadLevel deviceLevel,
      Path workDir,
      StageRunner stages)
      throws IOException, OrtFailure {
    if (!request.quantize().reduces()) {
      stages.skip(CompileStage.QUANTIZE, "no --quantize");
      return null;
    }
    return QuantizeStage.run(
        request, target, front, deviceLevel != LoadLevel.NONE, workDir, stages);
  }

  /**
   * The verify stage: the payload against the source at the request's tolerance, or, for a
   * reduced-precision payload, the accuracy gate the quantize stage already ran.
   */
  private static StageRunner.Done<Verifier.Outcome> verify(
      CompileRequest request,
      OnnxFrontEnd.Result front,
      QuantizeStage.Result reduced,
      LoadLevel deviceLevel)
      throws IOException, OrtFailure {
    if (reduced != null) {
      return new StageRunner.Done<>(
          ReducedVerification.outcome(reduced),
          "accuracy gate against the fp32 source: "
              + reduced.gate().summary()
              + (reduced.mode() == QuantizeMode.FP16 ? " (fp16 simulated on CPU)" : ""));
    }
    Verifier.Outcome verified =
        Verifier.verify(
            front.referenceModel(), front.payload(), deviceLevel, request, front.generatedSizes());
    return new StageRunner.Done<>(
        verified,
        String.format(
            "max abs error %.2e on %d samples (tolerance %.0e)",
            verified.verification().maxAbsError(),
            verified.verification().samples(),
            request.tolerance()));
  }

  private static List<String> withNotes(List<String> warnings, List<String> notes) {
    List<String> out = new java.util.ArrayList<>(warnings);
    out.addAll(notes);
    return out;
  }

  /** What the report says about the shapes verification and the benchmark ran at. */
  static String inputShapes(
      Map<String, dev.kiln.compiler.ort.HostTensor> inputs, CompileRequest request, String note) {
    return inputShapes(inputs, request, note, null);
  }

  /**
   * @param reducedOrigin where a reduced compile's held-out samples came from; null otherwise
   */
  static String inputShapes(
      Map<String, dev.kiln.compiler.ort.HostTensor> inputs,
      CompileRequest request,
      String note,
      String reducedOrigin) {
    String origin =
        reducedOrigin != null
            ? reducedOrigin
            : request.calibrationData() != null
                ? "calibration data"
                : request.inputShapes().isEmpty() ? "seeded random inputs" : "--input-shape";
    return Verifier.describe(inputs) + " (" + origin + (note.isEmpty() ? "" : "; " + note) + ")";
  }

  /**
   * A payload optimized at ALL is final for its ISA; lower levels leave the device to add its own
   * hardware-specific transforms at load time, which only it can choose correctly.
   */
  static LoadLevel deviceLoadLevel(ResolvedTarget target) {
    return target.optimizerLevel() == OptimizerLevel.ALL ? LoadLevel.NONE : LoadLevel.ALL;
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

  ResolvedTarget resolveTarget(CompileRequest request) {
    DeviceProfile profile;
    try {
      if (request.device() != null) {
        profile = profiles.get(request.device());
      } else if (request.target() != null) {
        profile = profiles.get(request.target().profileName());
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

  static Map<String, String> sessionOptions(LoadLevel level, int threads) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("optLevel", level.manifestName());
    options.put("intraOpNumThreads", Integer.toString(threads));
    options.put("interOpNumThreads", "1");
    return options;
  }
}
