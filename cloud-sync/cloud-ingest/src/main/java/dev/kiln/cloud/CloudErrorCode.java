package dev.kiln.cloud;

/** Why a cloud command failed; each maps to one CLI exit code. */
public enum CloudErrorCode {
  USAGE(2),
  DB_OPEN_FAILED(3),
  DB_LOCKED(4),
  QUERY_FAILED(5),
  EXPORT_FAILED(6),
  BROKER_FAILED(7),
  INGEST_FAILED(8);

  private final int exitCode;

  CloudErrorCode(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
