package dev.kiln.agent;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/**
 * Why the agent refused or failed a request. The code name is what HTTP error bodies carry; the
 * HTTP layer maps each code to one status in {@code dev.kiln.agent.http.ErrorResponses}, and {@link
 * #exit()} picks the exit code of {@code kiln-agent} commands.
 */
public enum AgentErrorCode implements ErrorCode {
  INVALID_CONFIG,
  INVALID_INPUT,
  MALFORMED_REQUEST,
  REQUEST_TIMEOUT,
  PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE,
  METHOD_NOT_ALLOWED,
  /** A management call without a valid bearer token or client certificate. */
  UNAUTHORIZED,
  /** A state-changing call from a foreign web origin (cross-site request forgery). */
  FORBIDDEN,
  MODEL_NOT_FOUND,
  VERSION_NOT_FOUND,
  ARTIFACT_REJECTED,
  INCOMPATIBLE_ARTIFACT,
  VERSION_CONFLICT,
  HEALTH_CHECK_FAILED,
  MEMORY_BUDGET_EXCEEDED,
  MODEL_NOT_READY,
  /** Other requests hold the heap kept for request bodies; retry shortly. */
  OVERLOADED,
  ENGINE_ERROR,
  SHUTTING_DOWN,
  IO_ERROR;

  @Override
  public ExitCode exit() {
    return switch (this) {
      case INVALID_CONFIG,
              INVALID_INPUT,
              MALFORMED_REQUEST,
              PAYLOAD_TOO_LARGE,
              UNSUPPORTED_MEDIA_TYPE,
              METHOD_NOT_ALLOWED,
              UNAUTHORIZED,
              FORBIDDEN ->
          ExitCode.USAGE;
      case MODEL_NOT_FOUND, VERSION_NOT_FOUND -> ExitCode.NOT_FOUND;
      case ARTIFACT_REJECTED, INCOMPATIBLE_ARTIFACT, HEALTH_CHECK_FAILED ->
          ExitCode.ARTIFACT_REJECTED;
      case VERSION_CONFLICT -> ExitCode.CONFLICT;
      case MEMORY_BUDGET_EXCEEDED,
              MODEL_NOT_READY,
              OVERLOADED,
              ENGINE_ERROR,
              SHUTTING_DOWN,
              REQUEST_TIMEOUT ->
          ExitCode.RUNTIME_FAILED;
      case IO_ERROR -> ExitCode.IO_ERROR;
    };
  }

  /** Whether the same request may succeed later without changes. */
  @Override
  public boolean retryable() {
    return switch (this) {
      case MEMORY_BUDGET_EXCEEDED,
              MODEL_NOT_READY,
              OVERLOADED,
              ENGINE_ERROR,
              SHUTTING_DOWN,
              IO_ERROR,
              REQUEST_TIMEOUT ->
          true;
      default -> false;
    };
  }
}
