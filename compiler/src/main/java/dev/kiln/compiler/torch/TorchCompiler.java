package dev.kiln.compiler.torch;

import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.OrtFailure;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.CompileSteps;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.compiler.pipeline.ResolvedTarget;
import dev.kiln.profile.DeviceProfiles;
import dev.kiln.profile.InferenceEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;

/**
 * Compiles a TorchScript model, either as is for PyTorch ({@link NativeTorchCompile}) or converted
 * to ONNX and run through the ONNX pipeline ({@link ConvertedTorchCompile}); {@link EnginePlan}
 * picks. Like the ONNX compiler, all work happens in a private directory and the artifact appears
 * only when every stage has passed.
 */
public final class TorchCompiler {
  /** Export opset: the oldest Kiln accepts, so the widest range of ONNX Runtimes loads it. */
  static final int DEFAULT_OPSET = OnnxExport.MIN_OPSET;

  static final Duration EXPORT_TIMEOUT = Duration.ofMinutes(10);

  private final DeviceProfiles profiles;
  private final ProgressListener progress;
  private final PythonLocator python;
  private final Duration exportTimeout;

  public TorchCompiler(DeviceProfiles profiles, ProgressListener progress) {
    this(profiles, progress, PythonLocator.standard(), EXPORT_TIMEOUT);
  }

  TorchCompiler(DeviceProfiles profiles, ProgressListener progress, PythonLocator python) {
    this(profiles, progress, python, EXPORT_TIMEOUT);
  }

  TorchCompiler(
      DeviceProfiles profiles,
      ProgressListener progress,
      PythonLocator python,
      Duration exportTimeout) {
    this.profiles = profiles;
    this.progress = progress;
    this.python = python;
    this.exportTimeout = exportTimeout;
  }

  /** Whether this compiler takes the request: a TorchScript file, or {@code --engine pytorch}. */
  public static boolean handles(CompileRequest request) {
    InferenceEngine engine = request.engine();
    return engine == InferenceEngine.PYTORCH || SourceKind.of(request.source()) == SourceKind.TORCH;
  }

  public CompileReport compile(CompileRequest request) {
    ResolvedTarget target = CompileSteps.resolveTarget(profiles, request);
    if (SourceKind.of(request.source()) == SourceKind.ONNX) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT,
          "--engine pytorch runs TorchScript (.pt) models, and "
              + request.source()
              + " is ONNX; omit --engine (ONNX models compile for onnxruntime)");
    }
    TorchScriptArchive.check(request.source());
    EnginePlan plan = EnginePlan.choose(request.engine(), target, python);
    TorchInputs inputs = TorchInputs.of(request);
    String name = CompileSteps.defaultName(request);
    Path destination = CompileSteps.checkedDestination(request, name, target);
    KeyPair key = CompileSteps.signingKey(request);
    Path workDir = null;
    try {
      workDir = Files.createTempDirectory("kiln-compile-torch").toAbsolutePath();
      TorchJob job =
          new TorchJob(request, target, name, destination, key, inputs, plan, workDir, progress);
      return plan.engine() == InferenceEngine.PYTORCH
          ? NativeTorchCompile.run(job)
          : ConvertedTorchCompile.run(job, profiles, opset(), exportTimeout);
    } catch (IOException e) {
      throw new CompileException(CompileErrorCode.IO_ERROR, "I/O error: " + e.getMessage(), e);
    } catch (OrtFailure e) {
      throw new CompileException(
          CompileErrorCode.UNSUPPORTED_MODEL,
          "ONNX Runtime rejected the converted model: " + e.getMessage(),
          e);
    } finally {
      deleteQuietly(workDir);
    }
  }

  /**
   * {@code KILN_ONNX_OPSET} picks another export opset in 13-17, for models that need newer ops.
   */
  private static int opset() {
    String configured = System.getenv("KILN_ONNX_OPSET");
    if (configured == null || configured.isBlank()) {
      return DEFAULT_OPSET;
    }
    try {
      int opset = Integer.parseInt(configured.strip());
      if (opset >= OnnxExport.MIN_OPSET && opset <= OnnxExport.MAX_OPSET) {
        return opset;
      }
    } catch (NumberFormatException ignored) {
      // Reported below with the valid range.
    }
    throw new CompileException(
        CompileErrorCode.BAD_INPUT,
        "KILN_ONNX_OPSET is '"
            + configured
            + "'; set a whole number from "
            + OnnxExport.MIN_OPSET
            + " to "
            + OnnxExport.MAX_OPSET
            + ", or unset it for "
            + DEFAULT_OPSET);
  }

  private static void deleteQuietly(Path dir) {
    try {
      if (dir != null) {
        ArtifactWriter.deleteTree(dir);
      }
    } catch (IOException | RuntimeException ignored) {
      // Temp space; the OS cleans what we could not.
    }
  }
}
