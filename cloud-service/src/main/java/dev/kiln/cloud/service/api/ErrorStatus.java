package dev.kiln.cloud.service.api;

import dev.kiln.cloud.CloudException;
import dev.kiln.error.ErrorCode;
import dev.kiln.fleet.FleetException;

/** The one place that maps Kiln's error codes to HTTP statuses, as the CLI maps them to exits. */
final class ErrorStatus {
  private ErrorStatus() {}

  static ApiException of(Throwable t) {
    if (t instanceof ApiException a) {
      return a;
    }
    if (t instanceof FleetException f) {
      return new ApiException(status(f.code()), f.getMessage(), fix(f.code()));
    }
    if (t instanceof CloudException c) {
      return new ApiException(status(c.code()), c.getMessage(), fix(c.code()));
    }
    if (t instanceof IllegalArgumentException) {
      return ApiException.badRequest(t.getMessage(), "see /api/v1/openapi.json for valid values");
    }
    return null;
  }

  private static int status(ErrorCode code) {
    return switch (code.exit()) {
      case USAGE -> 400;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case ARTIFACT_REJECTED -> 422;
      case STORE_LOCKED, BROKER_UNREACHABLE, STORE_UNAVAILABLE -> 503;
      default -> 500;
    };
  }

  private static String fix(ErrorCode code) {
    return code.retryable() ? "retry later" : "correct the request (" + code + ")";
  }
}
