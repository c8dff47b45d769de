package dev.kiln.fleet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code kiln fleet}: the fleet console's commands; the lead registers it in {@code kiln}, adding
 * {@code compare} and {@code simulate}, which need modules the console does not depend on.
 */
@Command(
    name = "fleet",
    mixinStandardHelpOptions = true,
    description = "Track devices and roll models out to them over MQTT.",
    subcommands = {
      DevicesCommand.class,
      DeployCommand.class,
      StatusCommand.class,
      RollbackCommand.class,
      CancelCommand.class,
      ServeCommand.class,
      ProvisionCommand.class,
      AuditCommand.class
    })
public final class FleetCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
