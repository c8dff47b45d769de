package dev.kiln.cli.agent;

import dev.kiln.cli.bundle.AgentBundleCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kiln agent ...}: build what devices run. The agent itself is {@code kiln-agent}. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = "Build agent distributions for devices (the agent itself runs as kiln-agent).",
    subcommands = {AgentBundleCommand.class})
public final class AgentCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
