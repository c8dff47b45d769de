package dev.kiln.artifact;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/** Why an artifact was refused. Each code has one meaning across compiler, agent and console. */
public enum ArtifactErrorCode implements ErrorCode {
  NOT_FOUND,
  CORRUPT_ARCHIVE,
  UNSAFE_ENTRY,
  TOO_LARGE,
  MISSING_FILE,
  CHECKSUM_MISMATCH,
  UNSUPPORTED_FORMAT_VERSION,
  INVALID_MANIFEST,
  UNSIGNED,
  SIGNATURE_INVALID,
  UNTRUSTED_KEY,
  BAD_KEY,
  OUTPUT_EXISTS,
  IO_ERROR;

  @Override
  public ExitCode exit() {
    return switch (this) {
      case OUTPUT_EXISTS -> ExitCode.OUTPUT_EXISTS;
      case IO_ERROR -> ExitCode.IO_ERROR;
      default -> ExitCode.ARTIFACT_REJECTED;
    };
  }

  /** Only an I/O failure may pass on a retry; every other code is about the artifact's bytes. */
  @Override
  public boolean retryable() {
    return this == IO_ERROR;
  }
}
