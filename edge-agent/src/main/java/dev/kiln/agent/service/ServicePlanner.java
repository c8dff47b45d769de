package dev.kiln.agent.service;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an install or uninstall request into an ordered list of steps. Order matters: the user
 * exists before files are given its group, and the unit is written before systemd is told to load
 * it.
 */
public final class ServicePlanner {
  private final UnitTemplate template;

  public ServicePlanner(UnitTemplate template) {
    this.template = template;
  }

  /**
   * @param settings what the unit runs
   * @param systemdDir where unit files go, normally /etc/systemd/system
   * @param config the config to write to {@code settings.configFile()}, kept if one is there
   * @param jars the agent's classpath, copied into {@code prefix/lib}
   * @param start whether to enable and (re)start the service
   */
  public record InstallRequest(
      UnitSettings settings,
      Path systemdDir,
      AgentConfigFile config,
      List<Path> jars,
      boolean start) {}

  /**
   * @param purge also delete state, config and the service user
   */
  public record UninstallRequest(UnitSettings settings, Path systemdDir, boolean purge) {}

  public List<ServiceStep> install(InstallRequest request, HostFacts host) {
    UnitSettings settings = request.settings();
    List<ServiceStep> plan = new ArrayList<>();
    if (!host.userExists()) {
      plan.add(
          new ServiceStep.RunCommand(
              List.of(
                  "useradd",
                  "--system",
                  "--user-group",
                  "--no-create-home",
                  "--home-dir",
                  settings.stateDir().toString(),
                  "--shell",
                  HostFacts.NOLOGIN,
                  settings.user()),
              false));
    }
    plan.add(new ServiceStep.InstallJars(request.jars(), settings.prefix().resolve("lib")));
    // The config may hold broker credentials later, so only root and the agent read it.
    plan.add(
        new ServiceStep.WriteFile(
            settings.configFile(), request.config().bytes(), "rw-r-----", settings.user(), true));
    plan.add(
        new ServiceStep.WriteFile(
            unitFile(request.systemdDir()),
            template.render(settings.templateValues()).getBytes(StandardCharsets.UTF_8),
            "rw-r--r--",
            null,
            false));
    if (!request.start()) {
      plan.add(new ServiceStep.Note("--no-start given: the service was not enabled or started"));
    } else if (!host.systemdRunning()) {
      plan.add(
          new ServiceStep.Note(
              "systemd is not running (no /run/systemd/system), so the service was not enabled"
                  + " or started; on a systemd host run: systemctl daemon-reload &&"
                  + " systemctl enable --now kiln-agent"));
    } else {
      plan.addAll(classDataArchive(settings));
      plan.add(systemctl("daemon-reload"));
      plan.add(systemctl("enable", UnitTemplate.UNIT_NAME));
      // restart, not start: on an upgrade the old agent must pick up the new jars.
      plan.add(systemctl("restart", UnitTemplate.UNIT_NAME));
    }
    return plan;
  }

  public List<ServiceStep> uninstall(UninstallRequest request, HostFacts host) {
    UnitSettings settings = request.settings();
    List<ServiceStep> plan = new ArrayList<>();
    if (host.systemdRunning()) {
      plan.add(
          new ServiceStep.RunCommand(
              List.of("systemctl", "disable", "--now", UnitTemplate.UNIT_NAME), true));
    }
    plan.add(new ServiceStep.Delete(unitFile(request.systemdDir())));
    if (host.systemdRunning()) {
      plan.add(systemctl("daemon-reload"));
    }
    plan.add(new ServiceStep.RemoveJars(settings.prefix().resolve("lib")));
    if (request.purge()) {
      plan.add(new ServiceStep.Delete(settings.stateDir()));
      plan.add(new ServiceStep.Delete(settings.configFile()));
      if (host.userIsOurs()) {
        plan.add(new ServiceStep.RunCommand(List.of("userdel", settings.user()), false));
      } else if (host.userExists()) {
        plan.add(
            new ServiceStep.Note(
                "kept user "
                    + settings.user()
                    + ": it was not created by kiln-agent install (home "
                    + settings.stateDir()
                    + ", shell "
                    + HostFacts.NOLOGIN
                    + ")"));
      }
    } else {
      plan.add(
          new ServiceStep.Note(
              "kept "
                  + settings.stateDir()
                  + ", "
                  + settings.configFile()
                  + " and user "
                  + settings.user()
                  + "; pass --purge to remove them"));
    }
    return plan;
  }

  /**
   * Dumps the class-data archive as the service user before the first start, so that start maps it
   * (docs/agent-service.md, "Class-data sharing"). Failure is not fatal: the agent then writes the
   * archive itself in the background. The java launcher expands {@code lib/*} here as it does for
   * ExecStart, so the archive's classpath is the service's.
   */
  private static List<ServiceStep> classDataArchive(UnitSettings settings) {
    Path archive = settings.cdsArchive();
    return List.of(
        new ServiceStep.RunCommand(
            List.of(
                "install",
                "-d",
                "-o",
                settings.user(),
                "-g",
                settings.user(),
                "-m",
                "0750",
                settings.stateDir().toString(),
                archive.getParent().toString()),
            true),
        new ServiceStep.RunCommand(
            List.of(
                "runuser",
                "-u",
                settings.user(),
                "--",
                settings.java().toString(),
                "-cp",
                settings.prefix().resolve("lib") + "/*",
                "dev.kiln.agent.cli.AgentMain",
                "cds",
                "--archive",
                archive.toString()),
            true));
  }

  public static Path unitFile(Path systemdDir) {
    return systemdDir.resolve(UnitTemplate.UNIT_NAME);
  }

  private static ServiceStep systemctl(String... args) {
    List<String> argv = new ArrayList<>();
    argv.add("systemctl");
    argv.addAll(List.of(args));
    return new ServiceStep.RunCommand(argv, false);
  }
}
