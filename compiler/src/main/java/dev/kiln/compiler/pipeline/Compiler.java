package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.artifact.Sha256;
import dev.kiln.artifact.baseline.BaselineFiles;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.LoadLevel;
import dev.kiln.compiler.ort.OrtFailure;
import dev.kiln.compiler.ort.OrtOfflineOptimizer.OptimizerLevel;
import dev.kiln.profile.Arch;
import dev.kiln.profile.DeviceProfile;
import dev.kiln.profile.DeviceProfiles;
import dev.kiln.profile.HostCpu;
import dev.kiln.profile.ProfileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Compiles a model for one target: the one stage sequence every source kind runs. A {@link
 * FrontEndPlugin} for the source (ONNX, the pipeline's own, when no other takes it) supplies each
 * stage's work, or why it does not apply; this class runs them in {@link CompileStage} order,
 * reports each, writes the artifact, and keeps all intermediate files in a private work directory,
 * so the artifact appears only when every stage has passed.
 */
public final class Compiler {
  /** Front ends for sources other than ONNX, e.g. TorchScript. */
  private static final List<FrontEndPlugin> PLUGINS =
      ServiceLoader.load(FrontEndPlugin.class, Compiler.class.getClassLoader()).stream()
          .map(ServiceLoader.Provider::get)
          .toList();

  /** A front end's work for one stage before packaging. */
  @FunctionalInterface
  private interface StageOf {
    Stage of(FrontEnd front, Path workDir) throws IOException, OrtFailure;
  }

  /** The stages before packaging, in order, and the front-end method that supplies each. */
  private static final List<Map.Entry<CompileStage, StageOf>> SEQUENCE =
      List.of(
          Map.entry(CompileStage.LOAD, FrontEnd::load),
          Map.entry(CompileStage.SPECIALIZE, (front, dir) -> front.specialize()),
          Map.entry(CompileStage.OPTIMIZE, (front, dir) -> front.optimize()),
          Map.entry(CompileStage.QUANTIZE, (front, dir) -> front.quantize()),
          Map.entry(CompileStage.VERIFY, (front, dir) -> front.verify()),
          Map.entry(CompileStage.BENCHMARK, (front, dir) -> front.benchmark()));

  private final DeviceProfiles profiles;
  private final ProgressListener progress;

  public Compiler(DeviceProfiles profiles, ProgressListener progress) {
    this.profiles = profiles;
    this.progress = progress;
  }

  public CompileReport compile(CompileRequest request) {
    for (FrontEndPlugin plugin : PLUGINS) {
      if (plugin.handles(request)) {
        return compile(request, plugin);
      }
    }
    return compile(request, new OnnxPlugin());
  }

  /** Compiles with the given front end, e.g. one configured for a test. */
  public CompileReport compile(CompileRequest request, FrontEndPlugin plugin) {
    ResolvedTarget target = resolveTarget(request);
    try (FrontEnd front = plugin.open(request, target)) {
      String name = CompileSteps.defaultName(request);
      Path destination =
          Packager.destination(request, name, request.version(), target.profile().name());
      Packager.checkDestination(destination, request.force());
      KeyPair key = Packager.signingKey(request.signKey());
      Path workDir = null;
      try {
        workDir = Files.createTempDirectory("kiln-compile").toAbsolutePath();
        return run(front, request, workDir, destination, key);
      } catch (CompileException e) {
        throw front.explain(e);
      } catch (IOException e) {
        throw front.explain(
            new CompileException(CompileErrorCode.IO_ERROR, "I/O error: " + e.getMessage(), e));
      } catch (OrtFailure e) {
        throw front.explain(
            new CompileException(
                CompileErrorCode.UNSUPPORTED_MODEL,
                "ONNX Runtime rejected the model: " + e.getMessage(),
                e));
      } finally {
        deleteQuietly(workDir);
      }
    }
  }

  private CompileReport run(
      FrontEnd front, CompileRequest request, Path workDir, Path destination, KeyPair key)
      throws IOException, OrtFailure {
    StageRunner stages = new StageRunner(progress);
    for (Map.Entry<CompileStage, StageOf> step : SEQUENCE) {
      Stage stage = step.getValue().of(front, workDir);
      if (stage.skipped()) {
        stages.skip(step.getKey(), stage.skipReason());
      } else {
        stages.run(step.getKey(), () -> new StageRunner.Done<>(null, stage.work().run()));
      }
    }
    StageRunner.Running packaging = stages.start(CompileStage.PACKAGE);
    FrontEnd.Contents contents = front.contents();
    CompileBaseline.Result baseline =
        CompileBaseline.build(request, front.baselineModel(), CompileSteps.defaultName(request));
    Packager.write(
        workDir,
        contents.payload(),
        contents.manifest(),
        contents.sample(),
        baseline.json(),
        key,
        destination,
        request.directoryOutput(),
        request.force());
    packaging.finish(
        destination
            + (key != null ? " (signed)" : " (unsigned)")
            + (baseline.json() != null ? ", with " + BaselineFiles.FILE_NAME : ""));
    return front
        .report(destination, contents.manifest(), key != null)
        .withBaseline(baseline.summary());
  }

  /**
   * A payload optimized at ALL is final for its ISA; lower levels leave the device to add its own
   * hardware-specific transforms at load time, which only it can choose correctly.
   */
  static LoadLevel deviceLoadLevel(ResolvedTarget target) {
    return target.optimizerLevel() == OptimizerLevel.ALL ? LoadLevel.NONE : LoadLevel.ALL;
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
