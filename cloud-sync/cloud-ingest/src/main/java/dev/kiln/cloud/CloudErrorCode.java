package dev.kiln.cloud;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/** Why a cloud command failed; each picks one exit code of the shared table. */
public enum CloudErrorCode implements ErrorCode {
  USAGE,
  DB_OPEN_FAILED,
  /** Another process holds DuckDB's write lock: retry when it is done. */
  DB_LOCKED,
  QUERY_FAILED,
  EXPORT_FAILED,
  BROKER_FAILED,
  INGEST_FAILED,
  /** A model, version or baseline asked for does not exist. */
  NOT_FOUND,
  /** A drift check found a measure over its threshold. */
  DRIFT_DETECTED;

  @Override
  public ExitCode exit() {
    return switch (this) {
      case USAGE -> ExitCode.USAGE;
      case DB_OPEN_FAILED -> ExitCode.STORE_UNAVAILABLE;
      case DB_LOCKED -> ExitCode.STORE_LOCKED;
      case QUERY_FAILED -> ExitCode.QUERY_FAILED;
      case EXPORT_FAILED -> ExitCode.EXPORT_FAILED;
      case BROKER_FAILED -> ExitCode.BROKER_UNREACHABLE;
      case INGEST_FAILED -> ExitCode.INGEST_FAILED;
      case NOT_FOUND -> ExitCode.NOT_FOUND;
      case DRIFT_DETECTED -> ExitCode.DRIFT_DETECTED;
    };
  }

  @Override
  public boolean retryable() {
    return this == DB_LOCKED || this == BROKER_FAILED;
  }
}
