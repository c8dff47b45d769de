package dev.kiln.fleet;

import dev.kiln.error.KilnException;

/** The one exception type of the fleet module; its code says what went wrong. */
public class FleetException extends KilnException {
  public FleetException(FleetErrorCode code, String message) {
    super(code, message);
  }

  public FleetException(FleetErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }

  @Override
  public FleetErrorCode code() {
    return (FleetErrorCode) super.code();
  }

  @Override
  public String getMessage() {
    return withCodeName(super.getMessage());
  }
}
