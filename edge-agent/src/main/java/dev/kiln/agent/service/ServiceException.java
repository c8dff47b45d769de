package dev.kiln.agent.service;

/** Installing or removing the service failed; the message names the problem and the fix. */
public class ServiceException extends RuntimeException {
  private final ServiceErrorCode code;

  public ServiceException(ServiceErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ServiceException(ServiceErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public ServiceErrorCode code() {
    return code;
  }
}
