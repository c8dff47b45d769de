package dev.kiln.artifact;

/** An artifact could not be written, read or trusted; the message says what to do about it. */
public class ArtifactException extends RuntimeException {
  private final ArtifactErrorCode code;

  public ArtifactException(ArtifactErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ArtifactException(ArtifactErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public ArtifactErrorCode code() {
    return code;
  }
}
