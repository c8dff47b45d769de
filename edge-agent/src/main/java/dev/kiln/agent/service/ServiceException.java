package dev.kiln.agent.service;

import dev.kiln.error.KilnException;

/** Installing or removing the service failed; the message names the problem and the fix. */
public class ServiceException extends KilnException {
  public ServiceException(ServiceErrorCode code, String message) {
    super(code, message);
  }

  public ServiceException(ServiceErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }

  @Override
  public ServiceErrorCode code() {
    return (ServiceErrorCode) super.code();
  }
}
