package dev.kiln.compiler.torch;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.FrontEndPlugin;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.profile.DeviceProfiles;

/** The TorchScript front end, plugged into the pipeline's {@code Compiler}. */
public final class TorchFrontEnd implements FrontEndPlugin {
  @Override
  public boolean handles(CompileRequest request) {
    return TorchCompiler.handles(request);
  }

  @Override
  public CompileReport compile(
      CompileRequest request, DeviceProfiles profiles, ProgressListener progress) {
    if (request.quantize().reduces()) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT,
          "--quantize works on ONNX models; export the TorchScript model to ONNX first"
              + " (torch.onnx.export), then compile the .onnx with --quantize");
    }
    return new TorchCompiler(profiles, progress).compile(request);
  }
}
