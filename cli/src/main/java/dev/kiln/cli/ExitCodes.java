package dev.kiln.cli;

import dev.kiln.error.ExitCode;
import dev.kiln.error.KilnException;
import picocli.CommandLine;

/**
 * The one place errors become exit codes and messages. Known errors print their message (which
 * names the problem and the fix) without a stack trace and exit with their code's number in the
 * shared table ({@link ExitCode}, docs/exit-codes.md); anything else is a bug and shows one.
 */
public final class ExitCodes implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
    var err = cmd.getErr();
    if (e instanceof KilnException k) {
      err.println("error: " + k.getMessage());
      return k.code().exitCode();
    }
    if (e instanceof IllegalArgumentException i) {
      err.println("error: " + i.getMessage());
      return ExitCode.USAGE.number();
    }
    err.println("internal error (please report it): " + e);
    e.printStackTrace(err);
    return ExitCode.INTERNAL.number();
  }
}
