package dev.kiln.cloud;

/** The one exception type of the cloud side; its code picks the CLI exit code. */
public class CloudException extends RuntimeException {
  private final CloudErrorCode code;

  public CloudException(CloudErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public CloudException(CloudErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public CloudErrorCode code() {
    return code;
  }

  @Override
  public String getMessage() {
    return code + ": " + super.getMessage();
  }
}
