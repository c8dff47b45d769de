package dev.kiln.link.error;

/** The one exception type of the device link; its code says what went wrong. */
public class LinkException extends RuntimeException {
  private final LinkErrorCode code;

  public LinkException(LinkErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public LinkException(LinkErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public LinkErrorCode code() {
    return code;
  }

  @Override
  public String getMessage() {
    return code + ": " + super.getMessage();
  }
}
