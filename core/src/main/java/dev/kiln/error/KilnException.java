package dev.kiln.error;

/**
 * The base of every Kiln exception: a message that names the problem and the fix, and the {@link
 * ErrorCode} that says what kind of failure it is. Each module's exception extends it and narrows
 * {@link #code()} to its own enum, so callers that catch the module's type can switch on its codes
 * while launchers catch this one type and map the code to an exit code.
 */
public class KilnException extends RuntimeException {
  private final ErrorCode code;

  public KilnException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public KilnException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /** The message with the code name in front ({@code "NOT_FOUND: no deployment dep-9"}). */
  protected final String withCodeName(String message) {
    return code.name() + ": " + message;
  }
}
