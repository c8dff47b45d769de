package dev.kiln.profile;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/**
 * Why a device profile could not be loaded or found. None of these is retryable: a file is wrong,
 * and every one is bad input to the command that named the profile.
 */
public enum ProfileErrorCode implements ErrorCode {
  /** The profile file or classpath entry could not be read. */
  UNREADABLE,
  /** The file is not syntactically valid JSON. */
  MALFORMED_JSON,
  /** The file has a field the schema does not define, usually a typo. */
  UNKNOWN_FIELD,
  /** A required field is absent (or null where null is not allowed). */
  MISSING_FIELD,
  /** A field is present but its value is out of range, of the wrong type or inconsistent. */
  INVALID_VALUE,
  /** The {@code name} inside the file differs from the file name. */
  NAME_MISMATCH,
  /** Two profiles from the same source set share a name. */
  DUPLICATE_PROFILE,
  /** No profile has the requested name. */
  UNKNOWN_DEVICE,
  /** The requested compile target is not one of arm64, x86_64, nvidia. */
  UNKNOWN_TARGET,
  /** An arch string (artifact, command line, host) is not one Kiln knows. */
  UNKNOWN_ARCH,
  /** The profile directory or the classpath resources are missing. */
  PROFILES_NOT_FOUND;

  @Override
  public ExitCode exit() {
    return ExitCode.USAGE;
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
