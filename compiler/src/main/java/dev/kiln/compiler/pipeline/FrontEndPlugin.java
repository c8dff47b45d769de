package dev.kiln.compiler.pipeline;

/**
 * A kind of source Kiln compiles, e.g. TorchScript. Found with {@link java.util.ServiceLoader}, so
 * a plug-in depends on the pipeline and never the other way round; ONNX, the pipeline's own source,
 * is the plug-in used when no other takes the request.
 */
public interface FrontEndPlugin {
  /** Whether this front end takes the request (by its source file or engine). */
  boolean handles(CompileRequest request);

  /**
   * Checks the request against this kind of source and decides how it compiles (e.g. which engine),
   * before anything is written: a refusal here leaves no trace. Returns the front end that does
   * this one compile's stages.
   */
  FrontEnd open(CompileRequest request, ResolvedTarget target);
}
