package dev.kiln.compiler.pipeline;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/** Why a compile stopped; each code picks one exit code of the shared table. */
public enum CompileErrorCode implements ErrorCode {
  BAD_INPUT(ExitCode.USAGE),
  UNKNOWN_TARGET(ExitCode.USAGE),
  UNSUPPORTED_MODEL(ExitCode.UNSUPPORTED_MODEL),
  BAD_INPUT_SHAPE(ExitCode.USAGE),
  OPTIMIZER_FAILED(ExitCode.OPTIMIZER_FAILED),
  VERIFICATION_FAILED(ExitCode.VERIFICATION_FAILED),
  ENGINE_UNAVAILABLE(ExitCode.ENGINE_UNAVAILABLE),
  OUTPUT_EXISTS(ExitCode.OUTPUT_EXISTS),
  IO_ERROR(ExitCode.IO_ERROR);

  private final ExitCode exit;

  CompileErrorCode(ExitCode exit) {
    this.exit = exit;
  }

  @Override
  public ExitCode exit() {
    return exit;
  }

  /** Only an I/O failure may pass on a retry; the rest need a different model or options. */
  @Override
  public boolean retryable() {
    return this == IO_ERROR;
  }
}
