package dev.kiln.agent;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/**
 * Why the agent refused or failed a request. The code name is what HTTP error bodies carry; the
 * HTTP layer maps each code to one status in {@code dev.kiln.agent.http.ErrorResponses}, and {@link
 * #exit()} picks the exit code of {@code kiln-agent} commands.
 */
public enum AgentErrorCode implements ErrorCode {
  INVALID_CONFIG(ExitCode.USAGE, false),
  INVALID_INPUT(ExitCode.USAGE, false),
  PAYLOAD_TOO_LARGE(ExitCode.USAGE, false),
  UNSUPPORTED_MEDIA_TYPE(ExitCode.USAGE, false),
  METHOD_NOT_ALLOWED(ExitCode.USAGE, false),
  MODEL_NOT_FOUND(ExitCode.NOT_FOUND, false),
  VERSION_NOT_FOUND(ExitCode.NOT_FOUND, false),
  ARTIFACT_REJECTED(ExitCode.ARTIFACT_REJECTED, false),
  INCOMPATIBLE_ARTIFACT(ExitCode.ARTIFACT_REJECTED, false),
  VERSION_CONFLICT(ExitCode.CONFLICT, false),
  HEALTH_CHECK_FAILED(ExitCode.ARTIFACT_REJECTED, false),
  MEMORY_BUDGET_EXCEEDED(ExitCode.RUNTIME_FAILED, true),
  MODEL_NOT_READY(ExitCode.RUNTIME_FAILED, true),
  ENGINE_ERROR(ExitCode.RUNTIME_FAILED, true),
  SHUTTING_DOWN(ExitCode.RUNTIME_FAILED, true),
  IO_ERROR(ExitCode.IO_ERROR, true);

  private final ExitCode exit;
  private final boolean retryable;

  AgentErrorCode(ExitCode exit, boolean retryable) {
    this.exit = exit;
    this.retryable = retryable;
  }

  @Override
  public ExitCode exit() {
    return exit;
  }

  /** Whether the same request may succeed later without changes. */
  @Override
  public boolean retryable() {
    return retryable;
  }
}
