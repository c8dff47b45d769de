package dev.kiln.cloud;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/** Why a cloud command failed; each picks one exit code of the shared table. */
public enum CloudErrorCode implements ErrorCode {
  USAGE(ExitCode.USAGE, false),
  DB_OPEN_FAILED(ExitCode.STORE_UNAVAILABLE, false),
  /** Another process holds DuckDB's write lock: retry when it is done. */
  DB_LOCKED(ExitCode.STORE_LOCKED, true),
  QUERY_FAILED(ExitCode.QUERY_FAILED, false),
  EXPORT_FAILED(ExitCode.EXPORT_FAILED, false),
  BROKER_FAILED(ExitCode.BROKER_UNREACHABLE, true),
  INGEST_FAILED(ExitCode.INGEST_FAILED, false);

  private final ExitCode exit;
  private final boolean retryable;

  CloudErrorCode(ExitCode exit, boolean retryable) {
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
