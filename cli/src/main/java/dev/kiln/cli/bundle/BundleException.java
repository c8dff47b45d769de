package dev.kiln.cli.bundle;

import dev.kiln.error.KilnException;

/** An agent bundle could not be built; the message names the problem and the fix. */
public class BundleException extends KilnException {
  public BundleException(BundleErrorCode code, String message) {
    super(code, message);
  }

  public BundleException(BundleErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }

  @Override
  public BundleErrorCode code() {
    return (BundleErrorCode) super.code();
  }
}
