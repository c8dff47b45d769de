package dev.kiln.compiler.ir;

import dev.kiln.error.KilnException;

/** A model could not be read, checked or rewritten; the message names the problem and the fix. */
public class IrException extends KilnException {
  public IrException(IrErrorCode code, String message) {
    super(code, message);
  }

  public IrException(IrErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }

  @Override
  public IrErrorCode code() {
    return (IrErrorCode) super.code();
  }
}
