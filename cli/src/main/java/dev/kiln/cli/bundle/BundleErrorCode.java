package dev.kiln.cli.bundle;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/** Why an agent bundle could not be built; each picks one exit code of the shared table. */
public enum BundleErrorCode implements ErrorCode {
  /** --target names no architecture we build for. */
  UNKNOWN_TARGET,
  /** The agent has not been built, so there are no jars to bundle. */
  AGENT_NOT_BUILT,
  /** The target's native library jar is neither built nor in the local Maven repository. */
  NATIVES_MISSING,
  /** The bundle file exists and --force was not given. */
  OUTPUT_EXISTS,
  /** Reading a jar or writing the bundle failed. */
  IO_FAILED;

  @Override
  public ExitCode exit() {
    return switch (this) {
      case UNKNOWN_TARGET -> ExitCode.USAGE;
      case AGENT_NOT_BUILT, NATIVES_MISSING -> ExitCode.NOT_BUILT;
      case OUTPUT_EXISTS -> ExitCode.OUTPUT_EXISTS;
      case IO_FAILED -> ExitCode.IO_ERROR;
    };
  }

  /** Only an I/O failure may pass on a retry; the rest need a build, an option or --force. */
  @Override
  public boolean retryable() {
    return this == IO_FAILED;
  }
}
