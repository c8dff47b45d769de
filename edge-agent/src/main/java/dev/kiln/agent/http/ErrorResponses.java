package dev.kiln.agent.http;

import dev.kiln.agent.AgentErrorCode;

/** The one place that maps error codes to HTTP status codes, and back for the server's own. */
final class ErrorResponses {
  private ErrorResponses() {}

  static int status(AgentErrorCode code) {
    return switch (code) {
      case INVALID_INPUT, INVALID_CONFIG, MALFORMED_REQUEST -> 400;
      case MODEL_NOT_FOUND, VERSION_NOT_FOUND -> 404;
      case UNAUTHORIZED -> 401;
      case FORBIDDEN -> 403;
      case VERSION_CONFLICT -> 409;
      case METHOD_NOT_ALLOWED -> 405;
      case REQUEST_TIMEOUT -> 408;
      case PAYLOAD_TOO_LARGE -> 413;
      case UNSUPPORTED_MEDIA_TYPE -> 415;
      case ARTIFACT_REJECTED, INCOMPATIBLE_ARTIFACT, HEALTH_CHECK_FAILED -> 422;
      case MEMORY_BUDGET_EXCEEDED -> 507;
      case MODEL_NOT_READY, SHUTTING_DOWN, OVERLOADED -> 503;
      case ENGINE_ERROR, IO_ERROR -> 500;
    };
  }

  /**
   * The code for a status the HTTP server chose itself (a request it could not parse, a body too
   * slow or too large): the JSON body then names the problem the same way Kiln's own errors do.
   */
  static AgentErrorCode codeFor(int status) {
    return switch (status) {
      case 404 -> AgentErrorCode.MODEL_NOT_FOUND;
      case 405 -> AgentErrorCode.METHOD_NOT_ALLOWED;
      case 408 -> AgentErrorCode.REQUEST_TIMEOUT;
      case 413 -> AgentErrorCode.PAYLOAD_TOO_LARGE;
      case 415 -> AgentErrorCode.UNSUPPORTED_MEDIA_TYPE;
      case 503 -> AgentErrorCode.SHUTTING_DOWN;
      default -> status < 500 ? AgentErrorCode.MALFORMED_REQUEST : AgentErrorCode.ENGINE_ERROR;
    };
  }
}
