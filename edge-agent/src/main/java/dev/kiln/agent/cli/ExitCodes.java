package dev.kiln.agent.cli;

import dev.kiln.agent.AgentException;
import dev.kiln.error.ExitCode;
import dev.kiln.error.KilnException;
import picocli.CommandLine;

/**
 * Where a failed {@code kiln-agent} command becomes an exit code: each error's code picks one from
 * the shared table ({@link ExitCode}, docs/exit-codes.md). Anything that is not a Kiln error is a
 * bug and shows its stack trace.
 */
final class ExitCodes implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
    if (e instanceof AgentException a) {
      cmd.getErr().println("kiln-agent: " + a.code() + ": " + a.getMessage());
      return a.code().exitCode();
    }
    if (e instanceof KilnException k) {
      cmd.getErr().println("kiln-agent: " + k.getMessage());
      return k.code().exitCode();
    }
    cmd.getErr().println("kiln-agent: " + e);
    e.printStackTrace(cmd.getErr());
    return ExitCode.INTERNAL.number();
  }
}
