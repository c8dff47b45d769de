package dev.kiln.error;

/**
 * One reason something failed, from a module's error enum. The {@link #name()} is the code that
 * travels: in HTTP error bodies, in command replies and in CLI messages, so a code name means the
 * same thing on every side. Each code picks one {@link ExitCode} for the launchers and says whether
 * the same request may succeed later unchanged.
 *
 * <p>A reader turns a received name back with {@code Enum.valueOf} of the sender's enum, and treats
 * a name it does not know as a newer sender's code, not as a broken message. A code is never
 * renamed: old readers would no longer know it.
 */
public interface ErrorCode {
  /** The code name on the wire: the enum constant's name, e.g. {@code MODEL_NOT_FOUND}. */
  String name();

  /** The exit code a launcher returns when a command fails with this code. */
  ExitCode exit();

  /** Whether the same request may succeed later without changes (a busy lock, a lost link). */
  boolean retryable();

  /** The process exit status of {@link #exit()}. */
  default int exitCode() {
    return exit().number();
  }
}
