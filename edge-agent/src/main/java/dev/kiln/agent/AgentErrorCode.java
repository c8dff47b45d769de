package dev.kiln.agent;

/**
 * Why the agent refused or failed a request. The HTTP layer maps each code to one status in {@code
 * dev.kiln.agent.http.ErrorResponses}; the CLI maps them to exit codes.
 */
public enum AgentErrorCode {
  INVALID_CONFIG(false),
  INVALID_INPUT(false),
  PAYLOAD_TOO_LARGE(false),
  UNSUPPORTED_MEDIA_TYPE(false),
  METHOD_NOT_ALLOWED(false),
  MODEL_NOT_FOUND(false),
  VERSION_NOT_FOUND(false),
  ARTIFACT_REJECTED(false),
  INCOMPATIBLE_ARTIFACT(false),
  VERSION_CONFLICT(false),
  HEALTH_CHECK_FAILED(false),
  MEMORY_BUDGET_EXCEEDED(true),
  MODEL_NOT_READY(true),
  ENGINE_ERROR(true),
  SHUTTING_DOWN(true),
  IO_ERROR(true);

  private final boolean retryable;

  AgentErrorCode(boolean retryable) {
    this.retryable = retryable;
  }

  /** Whether the same request may succeed later without changes. */
  public boolean retryable() {
    return retryable;
  }
}
