package dev.kiln.agent.cli;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import picocli.CommandLine;

/** The one place that maps error codes to process exit codes. */
final class ExitCodes implements CommandLine.IExecutionExceptionHandler {
  static final int CONFIG = 2;
  static final int ARTIFACT = 3;
  static final int RUNTIME = 4;
  static final int INPUT = 5;

  static int of(AgentErrorCode code) {
    return switch (code) {
      case INVALID_CONFIG -> CONFIG;
      case ARTIFACT_REJECTED, INCOMPATIBLE_ARTIFACT, HEALTH_CHECK_FAILED, VERSION_CONFLICT ->
          ARTIFACT;
      case INVALID_INPUT,
              METHOD_NOT_ALLOWED,
              PAYLOAD_TOO_LARGE,
              UNSUPPORTED_MEDIA_TYPE,
              MODEL_NOT_FOUND,
              VERSION_NOT_FOUND ->
          INPUT;
      default -> RUNTIME;
    };
  }

  @Override
  public int handleExecutionException(
      Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
    if (e instanceof AgentException a) {
      cmd.getErr().println("kiln-agent: " + a.code() + ": " + a.getMessage());
      return of(a.code());
    }
    cmd.getErr().println("kiln-agent: " + e);
    e.printStackTrace(cmd.getErr());
    return RUNTIME;
  }
}
