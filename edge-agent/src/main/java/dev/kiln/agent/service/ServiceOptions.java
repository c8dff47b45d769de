package dev.kiln.agent.service;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by {@code install} and {@code uninstall}; defaults are the FHS locations. */
public final class ServiceOptions {
  @Option(
      names = "--prefix",
      defaultValue = "/opt/kiln",
      description = "Install root; jars go to PREFIX/lib (default: ${DEFAULT-VALUE}).")
  Path prefix;

  @Option(
      names = "--systemd-dir",
      defaultValue = "/etc/systemd/system",
      description = "Where the unit file goes (default: ${DEFAULT-VALUE}).")
  Path systemdDir;

  @Option(
      names = "--etc-dir",
      defaultValue = "/etc/kiln",
      description = "Where agent.json lives (default: ${DEFAULT-VALUE}).")
  Path etcDir;

  @Option(
      names = "--user",
      defaultValue = "kiln",
      description = "System user the agent runs as (default: ${DEFAULT-VALUE}).")
  String user;

  @Option(
      names = "--java",
      description = "java binary for ExecStart (default: the java running this command).")
  Path java;

  @Option(names = "--dry-run", description = "Print the steps without doing them.")
  boolean dryRun;

  Path configFile() {
    return etcDir.toAbsolutePath().resolve("agent.json");
  }

  Path javaBinary() {
    return java != null ? java : Path.of(System.getProperty("java.home"), "bin", "java");
  }

  UnitSettings settings(Path stateDir) {
    return new UnitSettings(
        javaBinary().toAbsolutePath(),
        prefix.toAbsolutePath(),
        user,
        stateDir.toAbsolutePath(),
        configFile());
  }

  /** The jars this JVM runs from: exactly what the service must run. */
  static List<Path> currentClasspathJars() {
    List<Path> jars = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
        jars.add(path.toAbsolutePath());
      }
    }
    if (jars.isEmpty()) {
      throw new ServiceException(
          ServiceErrorCode.IO_FAILED,
          "the agent is not running from jars, so there is nothing to install; run it through"
              + " the kiln-agent launcher or an unpacked agent bundle");
    }
    return jars;
  }

  private static boolean runningAsRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** Refuses early with a clear message instead of failing halfway at useradd or systemctl. */
  static void requireRootFor(List<ServiceStep> plan) {
    boolean needsRoot = plan.stream().anyMatch(step -> step instanceof ServiceStep.RunCommand);
    if (needsRoot && !runningAsRoot()) {
      throw new ServiceException(
          ServiceErrorCode.NOT_ROOT,
          "this step creates users and talks to systemd; run it as root (sudo kiln-agent ...)"
              + " or look first with --dry-run");
    }
  }
}
