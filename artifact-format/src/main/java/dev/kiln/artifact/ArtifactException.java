package dev.kiln.artifact;

import dev.kiln.error.KilnException;

/** An artifact could not be written, read or trusted; the message says what to do about it. */
public class ArtifactException extends KilnException {
  public ArtifactException(ArtifactErrorCode code, String message) {
    super(code, message);
  }

  public ArtifactException(ArtifactErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }

  @Override
  public ArtifactErrorCode code() {
    return (ArtifactErrorCode) super.code();
  }
}
