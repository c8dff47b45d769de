package dev.kiln.fleet;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/** Why a fleet operation failed; each picks one exit code of the shared table. */
public enum FleetErrorCode implements ErrorCode {
  BAD_STRATEGY,
  BAD_TARGET,
  ILLEGAL_TRANSITION,
  NOT_FOUND,
  STATE_IO,
  ARTIFACT_INVALID,
  TRANSFER_FAILED,
  CONFIG_INVALID,
  BROKER_UNREACHABLE,
  /** The audit log's hash chain is broken: a line was edited, deleted or inserted. */
  AUDIT_LOG_BROKEN,
  /**
   * A console wrote to the fleet state after another replica took the leader lease from it: the
   * write was refused and this console must stop.
   */
  FENCED;

  @Override
  public ExitCode exit() {
    return switch (this) {
      case BAD_STRATEGY, BAD_TARGET, CONFIG_INVALID -> ExitCode.USAGE;
      case ILLEGAL_TRANSITION, FENCED -> ExitCode.CONFLICT;
      case NOT_FOUND -> ExitCode.NOT_FOUND;
      case STATE_IO -> ExitCode.IO_ERROR;
      case ARTIFACT_INVALID -> ExitCode.ARTIFACT_REJECTED;
      case TRANSFER_FAILED -> ExitCode.TRANSFER_FAILED;
      case BROKER_UNREACHABLE -> ExitCode.BROKER_UNREACHABLE;
      case AUDIT_LOG_BROKEN -> ExitCode.INTEGRITY_FAILED;
    };
  }

  @Override
  public boolean retryable() {
    return this == STATE_IO || this == TRANSFER_FAILED || this == BROKER_UNREACHABLE;
  }
}
