package dev.kiln.cloud.service.api;

/**
 * A refusal the API answers with a status and a JSON body {@code {"error", "fix"}}: what went wrong
 * and what to do about it.
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String fix;

  public ApiException(int status, String error, String fix) {
    super(error);
    this.status = status;
    this.fix = fix;
  }

  public int status() {
    return status;
  }

  public String fix() {
    return fix;
  }

  public static ApiException badRequest(String error, String fix) {
    return new ApiException(400, error, fix);
  }

  public static ApiException notFound(String error, String fix) {
    return new ApiException(404, error, fix);
  }
}
