package dev.kiln.compiler.api;

import dev.kiln.error.KilnException;

/** A compile that cannot go on; the message names the problem and what to do about it. */
public class CompileException extends KilnException {
  public CompileException(CompileErrorCode code, String message) {
    super(code, message);
  }

  public CompileException(CompileErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }

  @Override
  public CompileErrorCode code() {
    return (CompileErrorCode) super.code();
  }
}
