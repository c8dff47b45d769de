package dev.kiln.agent.http;

import dev.kiln.agent.AgentErrorCode;

/** The one place that maps error codes to HTTP status codes. */
final class ErrorResponses {
  private ErrorResponses() {}

  static int status(AgentErrorCode code) {
    return switch (code) {
      case INVALID_INPUT, INVALID_CONFIG -> 400;
      case MODEL_NOT_FOUND, VERSION_NOT_FOUND -> 404;
      case UNAUTHORIZED -> 401;
      case FORBIDDEN -> 403;
      case VERSION_CONFLICT -> 409;
      case METHOD_NOT_ALLOWED -> 405;
      case PAYLOAD_TOO_LARGE -> 413;
      case UNSUPPORTED_MEDIA_TYPE -> 415;
      case ARTIFACT_REJECTED, INCOMPATIBLE_ARTIFACT, HEALTH_CHECK_FAILED -> 422;
      case MEMORY_BUDGET_EXCEEDED -> 507;
      case MODEL_NOT_READY, SHUTTING_DOWN -> 503;
      case ENGINE_ERROR, IO_ERROR -> 500;
    };
  }
}
