package dev.kiln.fleet;

/** Why a fleet operation failed; the CLI maps these to exit codes in one place. */
public enum FleetErrorCode {
  BAD_STRATEGY(false),
  BAD_TARGET(false),
  ILLEGAL_TRANSITION(false),
  NOT_FOUND(false),
  STATE_IO(true),
  ARTIFACT_INVALID(false),
  TRANSFER_FAILED(true),
  CONFIG_INVALID(false),
  BROKER_UNREACHABLE(true);

  private final boolean retryable;

  FleetErrorCode(boolean retryable) {
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
