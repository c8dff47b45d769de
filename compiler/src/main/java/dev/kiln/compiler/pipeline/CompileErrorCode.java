package dev.kiln.compiler.pipeline;

/** Why a compile stopped. The CLI maps each code to an exit status in one place. */
public enum CompileErrorCode {
  BAD_INPUT(2),
  UNKNOWN_TARGET(2),
  UNSUPPORTED_MODEL(3),
  BAD_INPUT_SHAPE(2),
  OPTIMIZER_FAILED(4),
  VERIFICATION_FAILED(5),
  ENGINE_UNAVAILABLE(6),
  OUTPUT_EXISTS(7),
  IO_ERROR(8);

  private final int exitCode;

  CompileErrorCode(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
