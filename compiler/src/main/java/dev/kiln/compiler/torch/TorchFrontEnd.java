package dev.kiln.compiler.torch;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.FrontEnd;
import dev.kiln.compiler.pipeline.FrontEndPlugin;
import dev.kiln.compiler.pipeline.OnnxCompile;
import dev.kiln.compiler.pipeline.ResolvedTarget;
import dev.kiln.profile.InferenceEngine;
import java.time.Duration;

/**
 * The TorchScript front end, plugged into the pipeline's {@code Compiler}: a TorchScript file, or
 * {@code --engine pytorch}. {@link EnginePlan} picks the engine; the model is then either shipped
 * as is for libtorch ({@link NativeTorch}) or converted to ONNX and compiled by the pipeline's ONNX
 * stages ({@link TorchConversion}).
 */
public final class TorchFrontEnd implements FrontEndPlugin {
  /** Export opset: the oldest Kiln accepts, so the widest range of ONNX Runtimes loads it. */
  static final int DEFAULT_OPSET = OnnxExport.MIN_OPSET;

  static final Duration EXPORT_TIMEOUT = Duration.ofMinutes(10);

  private final PythonLocator python;
  private final Duration exportTimeout;

  /** As {@link java.util.ServiceLoader} makes it: the host's python, the standard timeout. */
  public TorchFrontEnd() {
    this(PythonLocator.standard(), EXPORT_TIMEOUT);
  }

  TorchFrontEnd(PythonLocator python, Duration exportTimeout) {
    this.python = python;
    this.exportTimeout = exportTimeout;
  }

  @Override
  public boolean handles(CompileRequest request) {
    return request.engine() == InferenceEngine.PYTORCH
        || SourceKind.of(request.source()) == SourceKind.TORCH;
  }

  @Override
  public FrontEnd open(CompileRequest request, ResolvedTarget target) {
    if (SourceKind.of(request.source()) == SourceKind.ONNX) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT,
          "--engine pytorch runs TorchScript (.pt) models, and "
              + request.source()
              + " is ONNX; omit --engine (ONNX models compile for onnxruntime)");
    }
    TorchScriptArchive.check(request.source());
    EnginePlan plan = EnginePlan.choose(request.engine(), target, python);
    if (plan.engine() == InferenceEngine.PYTORCH && request.quantize().reduces()) {
      throw quantizeNeedsOnnxRuntime(request, plan);
    }
    TorchInputs inputs = TorchInputs.of(request);
    if (plan.engine() == InferenceEngine.PYTORCH) {
      return new NativeTorch(request, target, plan, inputs);
    }
    return new OnnxCompile(
        request, target, new TorchConversion(request, plan, inputs, opset(), exportTimeout));
  }

  /**
   * int8 and fp16 are made on Kiln's ONNX IR and run by ONNX Runtime's kernels; the PyTorch engine
   * ships the TorchScript byte for byte, so there is nothing to quantize it with.
   */
  private static CompileException quantizeNeedsOnnxRuntime(
      CompileRequest request, EnginePlan plan) {
    return new CompileException(
        CompileErrorCode.BAD_INPUT,
        "--quantize "
            + request.quantize().mode().flag()
            + " needs the ONNX Runtime engine, and this compile is for PyTorch ("
            + plan.why()
            + "), which ships the TorchScript as is. Compile with --engine onnxruntime: Kiln"
            + " converts the model to ONNX (python3 with torch) and quantizes that, gated"
            + " against the converted fp32 model.");
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
}
