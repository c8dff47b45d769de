package dev.kiln.cloud.service.cli;

import picocli.CommandLine;

/**
 * {@code kiln cloud} on its own, for starting the service as a separate process from this module's
 * classpath (the restart tests kill it with SIGKILL); {@code ./kiln cloud} runs the same command.
 */
public final class CloudMain {
  private CloudMain() {}

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new CloudCommand());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    System.exit(cli.execute(args));
  }
}
