package dev.kiln.compiler.pipeline;

/** A compile that cannot go on; the message names the problem and what to do about it. */
public class CompileException extends RuntimeException {
  private final CompileErrorCode code;

  public CompileException(CompileErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public CompileException(CompileErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public CompileErrorCode code() {
    return code;
  }
}
