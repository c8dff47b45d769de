package dev.kiln.compiler.torch;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.ResolvedTarget;
import dev.kiln.profile.InferenceEngine;
import java.util.List;

/**
 * Which engine a TorchScript model is compiled for, and why. {@code --engine} decides when given.
 * Otherwise NVIDIA targets get ONNX Runtime (Kiln has no CUDA build of libtorch), a profile that
 * prefers PyTorch gets it, and CPU targets get ONNX Runtime when python with torch can convert the
 * model (ONNX Runtime is usually faster than libtorch on CPU, and only the ONNX path gets Kiln's
 * optimizations), else PyTorch, which needs nothing beyond Kiln itself.
 *
 * @param python the python that converts, for ONNXRUNTIME; null for PYTORCH
 * @param warnings what the operator should know about the choice, for the report
 */
record EnginePlan(
    InferenceEngine engine, PythonLocator.Found python, String why, List<String> warnings) {

  static InferenceEngine parse(String engine) {
    return CompileRequest.parseEngine(engine);
  }

  static EnginePlan choose(InferenceEngine explicit, ResolvedTarget target, PythonLocator locator) {
    boolean nvidia = target.profile().hasNvidiaAccelerator();
    if (explicit == InferenceEngine.PYTORCH) {
      if (nvidia) {
        throw new CompileException(
            CompileErrorCode.ENGINE_UNAVAILABLE,
            "--engine pytorch cannot serve "
                + target.profile().name()
                + ": no CUDA build of libtorch is available to Kiln. Use --engine onnxruntime"
                + " (the ONNX path serves NVIDIA GPUs through CUDA and TensorRT)");
      }
      return new EnginePlan(explicit, null, "--engine pytorch", List.of());
    }
    if (explicit == null
        && !nvidia
        && target.profile().runtime().preferredEngine() == InferenceEngine.PYTORCH) {
      return new EnginePlan(InferenceEngine.PYTORCH, null, "profile prefers pytorch", List.of());
    }
    PythonLocator.Probe probe = locator.probe();
    if (probe.found() != null) {
      String why =
          explicit != null
              ? "--engine onnxruntime"
              : nvidia
                  ? "NVIDIA target: served by ONNX Runtime"
                  : "python with torch found: ONNX Runtime is usually faster than libtorch on CPU";
      return new EnginePlan(InferenceEngine.ONNXRUNTIME, probe.found(), why, List.of());
    }
    if (explicit == null && !nvidia) {
      return new EnginePlan(
          InferenceEngine.PYTORCH,
          null,
          "no python with torch to convert to ONNX",
          List.of(
              "compiled for PyTorch because no python with torch was found to convert the model"
                  + " to ONNX (tried "
                  + String.join("; ", probe.tried())
                  + "). ONNX Runtime is usually faster on CPU: "
                  + PythonLocator.INSTALL_HINT
                  + ", then compile again."));
    }
    throw new CompileException(
        CompileErrorCode.ENGINE_UNAVAILABLE,
        "compiling TorchScript for ONNX Runtime converts it to ONNX first, which needs python3"
            + " with torch, and none was found (tried "
            + String.join("; ", probe.tried())
            + "). To fix: "
            + PythonLocator.INSTALL_HINT
            + (nvidia
                ? ". NVIDIA targets need this path: Kiln has no CUDA build of libtorch."
                : ". Or compile with --engine pytorch, which needs no python and ships the"
                    + " TorchScript as is."));
  }
}
