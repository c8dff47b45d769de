package dev.kiln.cli;

import dev.kiln.artifact.ArtifactException;
import dev.kiln.compiler.pipeline.CompileException;
import dev.kiln.profile.ProfileException;
import picocli.CommandLine;

/**
 * The one place errors become exit codes and messages. Known errors print their message (which
 * names the problem and the fix) without a stack trace; anything else is a bug and shows one.
 */
public final class ExitCodes implements CommandLine.IExecutionExceptionHandler {
  public static final int USAGE = 2;
  public static final int BUG = 70;

  @Override
  public int handleExecutionException(
      Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
    var err = cmd.getErr();
    if (e instanceof CompileException c) {
      err.println("error: " + c.getMessage());
      return c.code().exitCode();
    }
    if (e instanceof ArtifactException a) {
      err.println("error: " + a.getMessage());
      return 9;
    }
    if (e instanceof dev.kiln.cloud.CloudException c) {
      err.println("error: " + c.getMessage());
      return c.code().exitCode();
    }
    if (e instanceof dev.kiln.link.error.LinkException l) {
      err.println("error: " + l.getMessage());
      return USAGE;
    }
    if (e instanceof ProfileException p) {
      err.println("error: " + p.getMessage());
      return USAGE;
    }
    if (e instanceof IllegalArgumentException i) {
      err.println("error: " + i.getMessage());
      return USAGE;
    }
    err.println("internal error (please report it): " + e);
    e.printStackTrace(err);
    return BUG;
  }
}
