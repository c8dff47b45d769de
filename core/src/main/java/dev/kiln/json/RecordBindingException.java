package dev.kiln.json;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * JSON that does not fit the record it was read into ({@link RecordReader}): where, as a path
 * ({@code cpu.features[2]}; empty for the top level), and what kind of problem. A {@link
 * JsonProcessingException}, as databind's binding errors are, so code that handled those as {@code
 * IOException}s handles these the same way.
 */
public final class RecordBindingException extends JsonProcessingException {
  private static final long serialVersionUID = 1L;

  /** What is wrong at {@link #path()}. */
  public enum Problem {
    /** A field the record lacks (strict reading only). */
    UNKNOWN_FIELD,
    /** A field the record needs is absent (strict reading only). */
    MISSING_FIELD,
    /** The JSON value has the wrong type for the field, e.g. a string where a number belongs. */
    WRONG_SHAPE,
    /** The value has the right type but was refused: an unknown enum name, a record's own check. */
    INVALID_VALUE
  }

  private final Problem problem;
  private final String path;

  public RecordBindingException(Problem problem, String path, String detail, Throwable cause) {
    super((path.isEmpty() ? "(top level)" : path) + ": " + detail, cause);
    this.problem = problem;
    this.path = path;
  }

  public Problem problem() {
    return problem;
  }

  /** The field, as {@code a.b[2].c}; empty for the top level. */
  public String path() {
    return path;
  }
}
