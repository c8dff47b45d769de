package dev.kiln.fleet;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/** Why a fleet operation failed; each picks one exit code of the shared table. */
public enum FleetErrorCode implements ErrorCode {
  BAD_STRATEGY(ExitCode.USAGE, false),
  BAD_TARGET(ExitCode.USAGE, false),
  ILLEGAL_TRANSITION(ExitCode.CONFLICT, false),
  NOT_FOUND(ExitCode.NOT_FOUND, false),
  STATE_IO(ExitCode.IO_ERROR, true),
  ARTIFACT_INVALID(ExitCode.ARTIFACT_REJECTED, false),
  TRANSFER_FAILED(ExitCode.TRANSFER_FAILED, true),
  CONFIG_INVALID(ExitCode.USAGE, false),
  BROKER_UNREACHABLE(ExitCode.BROKER_UNREACHABLE, true);

  private final ExitCode exit;
  private final boolean retryable;

  FleetErrorCode(ExitCode exit, boolean retryable) {
    this.exit = exit;
    this.retryable = retryable;
  }

  @Override
  public ExitCode exit() {
    return exit;
  }

  @Override
  public boolean retryable() {
    return retryable;
  }
}
