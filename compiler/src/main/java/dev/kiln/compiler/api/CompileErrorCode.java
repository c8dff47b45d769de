package dev.kiln.compiler.api;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/** Why a compile stopped; each code picks one exit code of the shared table. */
public enum CompileErrorCode implements ErrorCode {
  BAD_INPUT,
  UNKNOWN_TARGET,
  UNSUPPORTED_MODEL,
  BAD_INPUT_SHAPE,
  OPTIMIZER_FAILED,
  VERIFICATION_FAILED,
  SOURCE_MODEL_FAILED,
  ENGINE_UNAVAILABLE,
  OUTPUT_EXISTS,
  IO_ERROR;

  @Override
  public ExitCode exit() {
    return switch (this) {
      case BAD_INPUT, UNKNOWN_TARGET, BAD_INPUT_SHAPE -> ExitCode.USAGE;
      case UNSUPPORTED_MODEL -> ExitCode.UNSUPPORTED_MODEL;
      case OPTIMIZER_FAILED -> ExitCode.OPTIMIZER_FAILED;
      case VERIFICATION_FAILED -> ExitCode.VERIFICATION_FAILED;
      case SOURCE_MODEL_FAILED -> ExitCode.SOURCE_MODEL_FAILED;
      case ENGINE_UNAVAILABLE -> ExitCode.ENGINE_UNAVAILABLE;
      case OUTPUT_EXISTS -> ExitCode.OUTPUT_EXISTS;
      case IO_ERROR -> ExitCode.IO_ERROR;
    };
  }

  /** Only an I/O failure may pass on a retry; the rest need a different model or options. */
  @Override
  public boolean retryable() {
    return this == IO_ERROR;
  }
}
