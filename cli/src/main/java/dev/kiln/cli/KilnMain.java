package dev.kiln.cli;

import dev.kiln.cli.agent.AgentCommand;
import dev.kiln.cli.compile.CompileCommand;
import dev.kiln.cli.demo.DemoCommand;
import dev.kiln.cli.fleet.CompareCommand;
import dev.kiln.cli.fleet.SimulateCommand;
import dev.kiln.cli.keys.KeysCommand;
import dev.kiln.cli.logging.RoutedLogs;
import dev.kiln.cli.profiles.ProfilesCommand;
import dev.kiln.cli.recommend.RecommendCommand;
import dev.kiln.cloud.cli.DataCommand;
import dev.kiln.cloud.cli.MonitorCommand;
import dev.kiln.cloud.service.cli.CloudCommand;
import dev.kiln.fleet.cli.FleetCommand;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kiln}: compile models, manage keys and profiles, run the cloud side, steer the fleet. */
@Command(
    name = "kiln",
    mixinStandardHelpOptions = true,
    versionProvider = KilnMain.Version.class,
    description = "Compile, sign, deploy and serve ML models on edge fleets.",
    subcommands = {
      DemoCommand.class,
      CompileCommand.class,
      ProfilesCommand.class,
      KeysCommand.class,
      AgentCommand.class,
      CloudCommand.class,
      DataCommand.class,
      MonitorCommand.class,
      FleetCommand.class,
      RecommendCommand.class,
      AutoComplete.GenerateCompletion.class,
      CommandLine.HelpCommand.class
    })
public final class KilnMain implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    return commandLine().execute(args);
  }

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new KilnMain());
    // compare reads the cloud store (DuckDB), which the fleet module does not depend on.
    cli.getSubcommands().get("fleet").addSubcommand("compare", new CompareCommand());
    // simulate runs simulated devices (fleet-simulator, device side), which the console must not
    // depend on.
    cli.getSubcommands().get("fleet").addSubcommand("simulate", new SimulateCommand());
    cli.setExecutionExceptionHandler(new ExitCodes());
    RoutedLogs.addVerboseOptions(cli);
    cli.setExecutionStrategy(new RoutedLogs());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"kiln " + dev.kiln.compiler.pipeline.KilnVersion.get()};
    }
  }
}
