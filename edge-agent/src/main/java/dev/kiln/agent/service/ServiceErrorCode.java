package dev.kiln.agent.service;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/** Why installing or removing the agent service failed; each picks one shared exit code. */
public enum ServiceErrorCode implements ErrorCode {
  /**
   * The unit template is missing from the jar or has a placeholder nobody fills: a packaging bug,
   * so it exits as an internal error.
   */
  TEMPLATE_INVALID,
  /** The agent config cannot be read or names values the service cannot honour. */
  CONFIG_INVALID,
  /** A host command (useradd, systemctl) failed. */
  HOST_COMMAND_FAILED,
  /** Writing, copying or deleting a file failed. */
  IO_FAILED,
  /** The command needs root and is not running as root. */
  NOT_ROOT;

  @Override
  public ExitCode exit() {
    return switch (this) {
      case TEMPLATE_INVALID -> ExitCode.INTERNAL;
      case CONFIG_INVALID -> ExitCode.USAGE;
      case HOST_COMMAND_FAILED -> ExitCode.HOST_COMMAND_FAILED;
      case IO_FAILED -> ExitCode.IO_ERROR;
      case NOT_ROOT -> ExitCode.NOT_ROOT;
    };
  }

  /** A host command or a file operation may pass on a retry; the rest need a fix first. */
  @Override
  public boolean retryable() {
    return this == HOST_COMMAND_FAILED || this == IO_FAILED;
  }
}
