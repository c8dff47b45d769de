package dev.kiln.link.error;

import dev.kiln.error.KilnException;

/** The one exception type of the device link; its code says what went wrong. */
public class LinkException extends KilnException {
  public LinkException(LinkErrorCode code, String message) {
    super(code, message);
  }

  public LinkException(LinkErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }

  @Override
  public LinkErrorCode code() {
    return (LinkErrorCode) super.code();
  }

  @Override
  public String getMessage() {
    return withCodeName(super.getMessage());
  }
}
