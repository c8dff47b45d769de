package dev.kiln.agent.cli;

import dev.kiln.agent.cds.CdsCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code kiln-agent}: serve models ({@code run}), transform files ({@code batch}), make the capture
 * key ({@code keygen}), write the class-data archive ({@code cds}), install.
 */
@Command(
    name = "kiln-agent",
    mixinStandardHelpOptions = true,
    version = "kiln-agent 0.1.0",
    description = "Serves Kiln artifacts on an edge device.",
    subcommands = {RunCommand.class, BatchCommand.class, KeygenCommand.class, CdsCommand.class})
public final class AgentMain {
  private static final Logger LOG = LoggerFactory.getLogger(AgentMain.class);

  // Registered by name so the agent core builds and runs whether or not the service package
  // (systemd install/uninstall) is present in this build.
  private static final String[] OPTIONAL_SUBCOMMANDS = {
    "dev.kiln.agent.service.InstallCommand", "dev.kiln.agent.service.UninstallCommand"
  };

  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new AgentMain());
    for (String className : OPTIONAL_SUBCOMMANDS) {
      try {
        cli.addSubcommand(Class.forName(className).getDeclaredConstructor().newInstance());
      } catch (ReflectiveOperationException | LinkageError e) {
        LOG.debug("subcommand {} not available: {}", className, e.toString());
      }
    }
    cli.setExecutionExceptionHandler(new ExitCodes());
    return cli;
  }
}
