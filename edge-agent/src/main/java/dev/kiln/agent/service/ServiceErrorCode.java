package dev.kiln.agent.service;

/** Why installing or removing the agent service failed; each maps to a CLI exit code. */
public enum ServiceErrorCode {
  /** The unit template is missing from the jar or has a placeholder nobody fills. */
  TEMPLATE_INVALID(3),
  /** The agent config cannot be read or names values the service cannot honour. */
  CONFIG_INVALID(4),
  /** A host command (useradd, systemctl) failed. */
  HOST_COMMAND_FAILED(5),
  /** Writing, copying or deleting a file failed. */
  IO_FAILED(6),
  /** The command needs root and is not running as root. */
  NOT_ROOT(7);

  private final int exitCode;

  ServiceErrorCode(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
