package dev.kiln.fleet.cli;

import dev.kiln.error.ExitCode;
import dev.kiln.error.KilnException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * How fleet commands end: known errors print their message (which names the problem and the fix)
 * without a stack trace and exit with their code's number in the shared table ({@link ExitCode},
 * docs/exit-codes.md).
 */
public final class FleetExit {
  public static final int OK = ExitCode.OK.number();

  /** The command ran, but the deployment did not succeed (rolled back, failed, timed out...). */
  static final int NOT_SUCCEEDED = ExitCode.NOT_SUCCEEDED.number();

  /** The deployment reached some of its targets, not all (PARTIALLY_SUCCEEDED). */
  static final int PARTIALLY_SUCCEEDED = ExitCode.PARTIALLY_SUCCEEDED.number();

  private FleetExit() {}

  /** Runs a command body, printing known errors without a stack trace. */
  public static int run(PrintWriter err, Callable<Integer> body) throws Exception {
    try {
      return body.call();
    } catch (KilnException e) {
      err.println("error: " + e.getMessage());
      return e.code().exitCode();
    }
  }
}
