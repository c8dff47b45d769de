package dev.kiln.agent.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** The {@code kiln-agent} commands under picocli: every command line but the service's. */
public final class AgentCommandLine {
  private static final Logger LOG = LoggerFactory.getLogger(AgentCommandLine.class);

  // Registered by name so the agent core builds and runs whether or not the service package
  // (systemd install/uninstall) is present in this build.
  private static final String[] OPTIONAL_SUBCOMMANDS = {
    "dev.kiln.agent.service.InstallCommand", "dev.kiln.agent.service.UninstallCommand"
  };

  private AgentCommandLine() {}

  public static CommandLine create() {
    CommandLine cli = new CommandLine(new AgentMain());
    for (String className : OPTIONAL_SUBCOMMANDS) {
      try {
        cli.addSubcommand(Class.forName(className).getDeclaredConstructor().newInstance());
      } catch (ReflectiveOperationException | LinkageError e) {
        LOG.debug("subcommand {} not available: {}", className, e.toString());
      }
    }
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> ExitCodes.of(e, cmd.getErr()));
    return cli;
  }
}
