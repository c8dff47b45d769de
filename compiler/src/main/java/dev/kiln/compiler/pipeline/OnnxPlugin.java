package dev.kiln.compiler.pipeline;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import java.nio.file.Files;

/** ONNX models as given: the front end used when no other plug-in takes the request. */
final class OnnxPlugin implements FrontEndPlugin {
  @Override
  public boolean handles(CompileRequest request) {
    return true;
  }

  @Override
  public FrontEnd open(CompileRequest request, ResolvedTarget target) {
    if (request.source() == null || !Files.isRegularFile(request.source())) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT,
          "no model file at "
              + request.source()
              + "; give the path to an .onnx or TorchScript .pt file");
    }
    return new OnnxCompile(request, target, workDir -> new OnnxSource.Onnx(request.source(), ""));
  }
}
