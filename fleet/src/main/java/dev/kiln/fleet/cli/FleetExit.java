package dev.kiln.fleet.cli;

import dev.kiln.artifact.ArtifactException;
import dev.kiln.fleet.FleetException;
import dev.kiln.link.error.LinkException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The one place fleet errors become exit codes; messages name the problem and the fix. Public for
 * the fleet commands registered from the CLI module ({@code simulate}).
 */
public final class FleetExit {
  public static final int OK = 0;

  /** The command ran, but the deployment did not succeed (rolled back, failed, timed out...). */
  static final int NOT_SUCCEEDED = 1;

  static final int USAGE = 2;

  private FleetExit() {}

  static int code(FleetException e) {
    return switch (e.code()) {
      case BAD_STRATEGY, BAD_TARGET, CONFIG_INVALID -> USAGE;
      case NOT_FOUND -> 3;
      case ILLEGAL_TRANSITION -> 4;
      case STATE_IO -> 5;
      case TRANSFER_FAILED, BROKER_UNREACHABLE -> 6;
      case ARTIFACT_INVALID -> 9;
    };
  }

  /** Runs a command body, printing known errors without a stack trace. */
  public static int run(PrintWriter err, Callable<Integer> body) throws Exception {
    try {
      return body.call();
    } catch (FleetException e) {
      err.println("error: " + e.getMessage());
      return code(e);
    } catch (ArtifactException e) {
      err.println("error: " + e.getMessage());
      return 9;
    } catch (LinkException e) {
      err.println("error: " + e.getMessage());
      return USAGE;
    }
  }
}
