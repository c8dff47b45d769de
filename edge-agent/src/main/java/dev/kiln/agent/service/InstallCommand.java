package dev.kiln.agent.service;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kiln-agent install}: runs this agent as a hardened systemd service. */
@Command(
    name = "install",
    mixinStandardHelpOptions = true,
    description = {
      "Install the agent as the hardened systemd service kiln-agent.",
      "Copies the agent's jars to PREFIX/lib, writes ETC-DIR/agent.json (unless present),",
      "creates the system user, writes the unit and enables and restarts the service."
    })
public final class InstallCommand implements Callable<Integer> {
  @Mixin ServiceOptions options = new ServiceOptions();

  @Option(
      names = "--config",
      description = "Agent config to install (default: a loopback-only config for this host).")
  Path config;

  @Option(names = "--no-start", description = "Write everything but do not enable or start.")
  boolean noStart;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      AgentConfigFile agentConfig = resolveConfig(out);
      UnitSettings settings = options.settings(agentConfig.stateDir());
      ServicePlanner.InstallRequest request =
          new ServicePlanner.InstallRequest(
              settings,
              options.systemdDir.toAbsolutePath(),
              agentConfig,
              ServiceOptions.currentClasspathJars(),
              !noStart);
      List<ServiceStep> plan =
          new ServicePlanner(UnitTemplate.fromClasspath())
              .install(request, HostFacts.probe(settings.user(), settings.stateDir()));
      if (!options.dryRun) {
        ServiceOptions.requireRootFor(plan);
      }
      new StepRunner(out, options.dryRun).run(plan);
      out.println(options.dryRun ? "dry run: nothing changed" : "kiln-agent installed");
      return 0;
    } catch (ServiceException e) {
      spec.commandLine().getErr().println("install failed [" + e.code() + "]: " + e.getMessage());
      return e.code().exitCode();
    }
  }

  /** An existing config wins over --config: it may carry edits made on the device. */
  private AgentConfigFile resolveConfig(PrintWriter out) {
    Path target = options.configFile();
    try {
      if (Files.exists(target)) {
        if (config != null) {
          out.println("note: keeping existing " + target + "; " + config + " was not copied");
        }
        return AgentConfigFile.parse(Files.readAllBytes(target), target.toString());
      }
      if (config != null) {
        return AgentConfigFile.parse(Files.readAllBytes(config), config.toString());
      }
      return AgentConfigFile.defaults(hostname(), options.etcDir.toAbsolutePath());
    } catch (IOException e) {
      throw new ServiceException(
          ServiceErrorCode.CONFIG_INVALID,
          "cannot read config " + (config != null ? config : target) + ": " + e.getMessage(),
          e);
    }
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "kiln-device";
    }
  }
}
