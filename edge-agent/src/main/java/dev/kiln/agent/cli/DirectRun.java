package dev.kiln.agent.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The command line a device runs on every start, {@code kiln-agent run --config FILE} (the systemd
 * unit's and the launchers'), read and run without the CLI library. Setting up picocli's model of
 * the commands reflects over their annotations and loads about 220 classes (picocli's own, proxies,
 * annotation parsing) that the agent never uses again: measured, 3 MiB of its resident memory and
 * about 100 ms of CPU to its first inference. Any other command line, including every mistake in
 * this one, goes to picocli as before, which gives the help and the usage errors.
 */
final class DirectRun {
  private DirectRun() {}

  /**
   * The config file when {@code args} are exactly {@code run --config FILE} or {@code run
   * --config=FILE}; empty otherwise.
   */
  static Optional<Path> config(String[] args) {
    if (args.length == 3 && args[0].equals("run") && args[1].equals("--config")) {
      return nonBlank(args[2]);
    }
    if (args.length == 2 && args[0].equals("run") && args[1].startsWith("--config=")) {
      return nonBlank(args[1].substring("--config=".length()));
    }
    return Optional.empty();
  }

  private static Optional<Path> nonBlank(String file) {
    // Left to picocli, which names the option and the problem.
    return file.isBlank() || file.startsWith("-") ? Optional.empty() : Optional.of(Path.of(file));
  }

  /** Serves as {@code run} does; a failure is reported and exits as under picocli. */
  static int run(Path config, PrintWriter err) {
    try {
      return new RunCommand(config).call();
    } catch (Exception e) {
      return ExitCodes.of(e, err);
    }
  }
}
