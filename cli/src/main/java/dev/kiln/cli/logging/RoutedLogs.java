package dev.kiln.cli.logging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The commands that tell a story of their own ({@code demo}, {@code cloud run}, every {@code fleet}
 * command) get a {@code --verbose} option; without it their library log lines go to a file beside
 * their state, with it to stderr. Installed as the root command's execution strategy, so the
 * routing is in place before the command runs and no module below the CLI needs to know logback.
 */
public final class RoutedLogs implements CommandLine.IExecutionStrategy {
  public static final String VERBOSE = "--verbose";
  private static final List<String> ROUTED = List.of("kiln demo", "kiln cloud run", "kiln fleet");

  /** Adds {@code --verbose} to every routed command under {@code root}. */
  public static void addVerboseOptions(CommandLine root) {
    for (CommandLine command : root.getSubcommands().values()) {
      CommandSpec spec = command.getCommandSpec();
      if (routed(spec) && spec.findOption(VERBOSE) == null) {
        spec.addOption(
            OptionSpec.builder(VERBOSE)
                .type(boolean.class)
                .description(
                    "Show library log lines (connections, retries, broker notices) on stderr"
                        + " instead of writing them to "
                        + logFileHint(spec)
                        + ".")
                .build());
      }
      addVerboseOptions(command);
    }
  }

  /** True when the command line asked for {@code --verbose}. */
  public static boolean verbose(CommandSpec spec) {
    ParseResult parsed = spec.commandLine().getParseResult();
    return parsed != null && parsed.hasMatchedOption(VERBOSE);
  }

  @Override
  public int execute(ParseResult parseResult) {
    ParseResult leaf = parseResult;
    while (leaf.hasSubcommand()) {
      leaf = leaf.subcommand();
    }
    CommandSpec spec = leaf.commandSpec();
    try {
      if (routed(spec) && !leaf.isUsageHelpRequested() && !leaf.isVersionHelpRequested()) {
        if (leaf.hasMatchedOption(VERBOSE)) {
          LogRouting.toConsole();
        } else {
          Path file = logFile(spec);
          if (file != null) {
            LogRouting.toFile(file);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new CommandLine.RunLast().execute(parseResult);
  }

  private static String logFileHint(CommandSpec spec) {
    String name = spec.qualifiedName(" ");
    if (name.equals("kiln cloud run")) {
      return "DB.log beside the --db file";
    }
    if (name.equals("kiln demo")) {
      return "DIR/kiln-demo.log";
    }
    return "STATE-DIR/fleet.log";
  }

  private static boolean routed(CommandSpec spec) {
    String name = spec.qualifiedName(" ");
    return ROUTED.stream().anyMatch(r -> name.equals(r) || name.startsWith(r + " "));
  }

  /**
   * Beside the command's own state: {@code <db>.log} for cloud run, {@code <state-dir>/fleet.log}
   * for fleet commands. The demo opens its own after it empties its folder, so null here.
   */
  private static Path logFile(CommandSpec spec) {
    String name = spec.qualifiedName(" ");
    if (name.equals("kiln cloud run")) {
      Path db = optionValue(spec, "--db");
      String store = optionValue(spec, "--store");
      if (db == null) {
        // A PostgreSQL store has no file to sit beside: the log goes to the working folder.
        db =
            Path.of(
                store != null && store.startsWith("duckdb:")
                    ? store.substring("duckdb:".length())
                    : "kiln-cloud.duckdb");
      }
      String base = db.getFileName().toString().replaceFirst("\\.duckdb$", "");
      return db.toAbsolutePath().resolveSibling(base + ".log");
    }
    if (name.startsWith("kiln fleet")) {
      Path stateDir = optionValue(spec, "--state-dir");
      return stateDir != null
          ? stateDir.resolve("fleet.log")
          : Path.of(System.getProperty("user.home"), ".kiln", "fleet", "fleet.log");
    }
    return null;
  }

  private static <T> T optionValue(CommandSpec spec, String name) {
    OptionSpec option = spec.findOption(name);
    return option == null ? null : option.getValue();
  }
}
