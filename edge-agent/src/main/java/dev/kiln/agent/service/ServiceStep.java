package dev.kiln.agent.service;

import java.nio.file.Path;
import java.util.List;

/**
 * One action of an install or uninstall. Plans are lists of steps so that {@code --dry-run} prints
 * exactly what a real run would do, and tests can check a plan without touching the host.
 */
public sealed interface ServiceStep {

  String describe();

  /** Writes a file atomically; with {@code keepExisting} an existing file wins (user edits). */
  record WriteFile(
      Path path, byte[] content, String permissions, String group, boolean keepExisting)
      implements ServiceStep {
    @Override
    public String describe() {
      return (keepExisting ? "write (unless present) " : "write ")
          + path
          + " ("
          + permissions
          + (group == null ? "" : ", group " + group)
          + ", "
          + content.length
          + " bytes)";
    }
  }

  /**
   * Copies {@code jars} into {@code libDir} atomically, then removes the jars a previous install
   * listed but this one does not (they would shadow classes on the wildcard classpath). Only jars
   * named in {@code libDir/.kiln-agent-jars} are ever removed, so a wrong --prefix cannot delete
   * someone else's files.
   */
  record InstallJars(List<Path> jars, Path libDir) implements ServiceStep {
    @Override
    public String describe() {
      return "install " + jars.size() + " jars into " + libDir + " (replacing the previous set)";
    }
  }

  /** Removes the jars an install listed in {@code libDir}, then the directory if it is empty. */
  record RemoveJars(Path libDir) implements ServiceStep {
    @Override
    public String describe() {
      return "remove the agent's jars from " + libDir;
    }
  }

  /** Runs a host command; a failure aborts the plan unless {@code mayFail}. */
  record RunCommand(List<String> argv, boolean mayFail) implements ServiceStep {
    @Override
    public String describe() {
      return "run " + String.join(" ", argv) + (mayFail ? " (failure ignored)" : "");
    }
  }

  /** Deletes a file, or a directory and everything under it. */
  record Delete(Path path) implements ServiceStep {
    @Override
    public String describe() {
      return "delete " + path;
    }
  }

  /** Something the operator should know, such as a step skipped on purpose. */
  record Note(String message) implements ServiceStep {
    @Override
    public String describe() {
      return "note: " + message;
    }
  }
}
