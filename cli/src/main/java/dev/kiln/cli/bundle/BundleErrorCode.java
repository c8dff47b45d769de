package dev.kiln.cli.bundle;

/** Why an agent bundle could not be built; each maps to a CLI exit code. */
public enum BundleErrorCode {
  /** --target names no architecture we build for. */
  UNKNOWN_TARGET(2),
  /** The agent has not been built, so there are no jars to bundle. */
  AGENT_NOT_BUILT(3),
  /** The target's native library jar is neither built nor in the local Maven repository. */
  NATIVES_MISSING(4),
  /** The bundle file exists and --force was not given. */
  OUTPUT_EXISTS(5),
  /** Reading a jar or writing the bundle failed. */
  IO_FAILED(6);

  private final int exitCode;

  BundleErrorCode(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
