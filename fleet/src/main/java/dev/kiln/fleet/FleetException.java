package dev.kiln.fleet;

/** The one exception type of the fleet module; its code says what went wrong. */
public class FleetException extends RuntimeException {
  private final FleetErrorCode code;

  public FleetException(FleetErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public FleetException(FleetErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public FleetErrorCode code() {
    return code;
  }

  @Override
  public String getMessage() {
    return code + ": " + super.getMessage();
  }
}
