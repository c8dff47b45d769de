package dev.kiln.compiler.ir;

/** A model could not be read, checked or rewritten; the message names the problem and the fix. */
public class IrException extends RuntimeException {
  private final IrErrorCode code;

  public IrException(IrErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public IrException(IrErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public IrErrorCode code() {
    return code;
  }
}
