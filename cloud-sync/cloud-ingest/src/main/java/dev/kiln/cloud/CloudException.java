package dev.kiln.cloud;

import dev.kiln.error.KilnException;

/** The one exception type of the cloud side; its code picks the CLI exit code. */
public class CloudException extends KilnException {
  public CloudException(CloudErrorCode code, String message) {
    super(code, message);
  }

  public CloudException(CloudErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }

  @Override
  public CloudErrorCode code() {
    return (CloudErrorCode) super.code();
  }

  @Override
  public String getMessage() {
    return withCodeName(super.getMessage());
  }
}
