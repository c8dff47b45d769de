package dev.kiln.agent.service;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Carries out a plan in order, stopping at the first failed step; or only prints it. */
public final class StepRunner {
  private final PrintWriter out;
  private final boolean dryRun;

  public StepRunner(PrintWriter out, boolean dryRun) {
    this.out = out;
    this.dryRun = dryRun;
  }

  public void run(List<ServiceStep> plan) {
    for (ServiceStep step : plan) {
      out.println((dryRun ? "[dry-run] " : "") + step.describe());
      out.flush();
      if (!dryRun) {
        execute(step);
      }
    }
  }

  private void execute(ServiceStep step) {
    try {
      // Java 17 has no pattern switch; the interface is sealed, so this chain is complete.
      if (step instanceof ServiceStep.WriteFile write) {
        if (!(write.keepExisting() && Files.exists(write.path()))) {
          ServiceFiles.write(write.path(), write.content(), write.permissions(), write.group());
        }
      } else if (step instanceof ServiceStep.InstallJars jars) {
        ServiceFiles.syncJars(jars.jars(), jars.libDir());
      } else if (step instanceof ServiceStep.RemoveJars remove) {
        ServiceFiles.removeJars(remove.libDir());
      } else if (step instanceof ServiceStep.Delete delete) {
        ServiceFiles.deleteTree(delete.path());
      } else if (step instanceof ServiceStep.RunCommand command) {
        runCommand(command);
      }
    } catch (IOException e) {
      throw new ServiceException(
          ServiceErrorCode.IO_FAILED,
          step.describe() + " failed: " + e + "; check permissions (install runs as root)",
          e);
    }
  }

  private void runCommand(ServiceStep.RunCommand command) throws IOException {
    Process process = new ProcessBuilder(command.argv()).inheritIO().start();
    int exit;
    try {
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        exit = -1;
      } else {
        exit = process.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new ServiceException(ServiceErrorCode.HOST_COMMAND_FAILED, "interrupted", e);
    }
    if (exit != 0 && !command.mayFail()) {
      throw new ServiceException(
          ServiceErrorCode.HOST_COMMAND_FAILED,
          String.join(" ", command.argv())
              + " exited with "
              + exit
              + "; fix the cause shown above and run the command again");
    }
  }
}
