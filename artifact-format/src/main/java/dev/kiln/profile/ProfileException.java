package dev.kiln.profile;

import dev.kiln.error.KilnException;
import java.util.Optional;

/**
 * A device profile could not be loaded, validated or found. The message names the file (or source),
 * the field and the fix; {@link #source()} and {@link #field()} carry the first two for callers
 * that format errors themselves.
 */
public class ProfileException extends KilnException {
  private final String source;
  private final String field;

  public ProfileException(ProfileErrorCode code, String message) {
    this(code, null, null, message, null);
  }

  public ProfileException(
      ProfileErrorCode code, String source, String field, String message, Throwable cause) {
    super(code, message, cause);
    this.source = source;
    this.field = field;
  }

  /** An error in one field of one profile file: "source: field 'x' problem. Fix." */
  static ProfileException inField(
      ProfileErrorCode code, String source, String field, String problem, String fix) {
    return new ProfileException(
        code,
        source,
        field,
        source + ": field '" + field + "' " + problem + ". " + fix + ".",
        null);
  }

  @Override
  public ProfileErrorCode code() {
    return (ProfileErrorCode) super.code();
  }

  /** The file or classpath entry at fault, when the error is about one. */
  public Optional<String> source() {
    return Optional.ofNullable(source);
  }

  /** The JSON path of the field at fault, e.g. {@code runtime.threads}, when there is one. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
