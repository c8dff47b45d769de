package dev.kiln.agent.service;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/** Why installing or removing the agent service failed; each picks one shared exit code. */
public enum ServiceErrorCode implements ErrorCode {
  /**
   * The unit template is missing from the jar or has a placeholder nobody fills: a packaging bug,
   * so it exits as an internal error.
   */
  TEMPLATE_INVALID(ExitCode.INTERNAL, false),
  /** The agent config cannot be read or names values the service cannot honour. */
  CONFIG_INVALID(ExitCode.USAGE, false),
  /** A host command (useradd, systemctl) failed. */
  HOST_COMMAND_FAILED(ExitCode.HOST_COMMAND_FAILED, true),
  /** Writing, copying or deleting a file failed. */
  IO_FAILED(ExitCode.IO_ERROR, true),
  /** The command needs root and is not running as root. */
  NOT_ROOT(ExitCode.NOT_ROOT, false);

  private final ExitCode exit;
  private final boolean retryable;

  ServiceErrorCode(ExitCode exit, boolean retryable) {
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
