package dev.kiln.cli.bundle;

/** An agent bundle could not be built; the message names the problem and the fix. */
public class BundleException extends RuntimeException {
  private final BundleErrorCode code;

  public BundleException(BundleErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public BundleException(BundleErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public BundleErrorCode code() {
    return code;
  }
}
