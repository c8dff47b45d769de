package dev.kiln.agent.cli;

import dev.kiln.agent.AgentException;
import dev.kiln.error.ExitCode;
import dev.kiln.error.KilnException;
import java.io.PrintWriter;

/**
 * Where a failed {@code kiln-agent} command becomes an exit code: each error's code picks one from
 * the shared table ({@link ExitCode}, docs/exit-codes.md). Anything that is not a Kiln error is a
 * bug and shows its stack trace. Free of the CLI library, so {@link DirectRun} reports failures the
 * same way without loading it.
 */
final class ExitCodes {
  private ExitCodes() {}

  /** Writes what failed to {@code err} and returns the exit code for it. */
  static int of(Exception e, PrintWriter err) {
    if (e instanceof AgentException a) {
      err.println("kiln-agent: " + a.code() + ": " + a.getMessage());
      return a.code().exitCode();
    }
    if (e instanceof KilnException k) {
      err.println("kiln-agent: " + k.getMessage());
      return k.code().exitCode();
    }
    err.println("kiln-agent: " + e);
    e.printStackTrace(err);
    return ExitCode.INTERNAL.number();
  }
}
