package dev.kiln.agent.service;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kiln-agent uninstall}: stops and removes the service, keeping state unless purged. */
@Command(
    name = "uninstall",
    mixinStandardHelpOptions = true,
    description = {
      "Stop, disable and remove the kiln-agent service and PREFIX/lib.",
      "State, config and the system user stay unless --purge is given."
    })
public final class UninstallCommand implements Callable<Integer> {
  @Mixin ServiceOptions options = new ServiceOptions();

  @Option(names = "--purge", description = "Also delete state, config and the system user.")
  boolean purge;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      UnitSettings settings = options.settings(installedStateDir());
      List<ServiceStep> plan =
          new ServicePlanner(UnitTemplate.fromClasspath())
              .uninstall(
                  new ServicePlanner.UninstallRequest(
                      settings, options.systemdDir.toAbsolutePath(), purge),
                  HostFacts.probe(settings.user(), settings.stateDir()));
      if (!options.dryRun) {
        ServiceOptions.requireRootFor(plan);
      }
      new StepRunner(out, options.dryRun).run(plan);
      out.println(options.dryRun ? "dry run: nothing changed" : "kiln-agent uninstalled");
      return 0;
    } catch (ServiceException e) {
      spec.commandLine().getErr().println("uninstall failed [" + e.code() + "]: " + e.getMessage());
      return e.code().exitCode();
    }
  }

  /** Purge must delete the state the installed config points at, not a default. */
  private Path installedStateDir() {
    Path configFile = options.configFile();
    if (!Files.exists(configFile)) {
      return AgentConfigFile.DEFAULT_STATE_DIR;
    }
    try {
      return AgentConfigFile.parse(Files.readAllBytes(configFile), configFile.toString())
          .stateDir();
    } catch (IOException e) {
      throw new ServiceException(
          ServiceErrorCode.CONFIG_INVALID, "cannot read " + configFile + ": " + e.getMessage(), e);
    }
  }
}
