package dev.kiln.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.cli.KilnMain;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RoutedLogsTest {
  private final CommandLine kiln = KilnMain.commandLine();

  @Test
  void storyTellingCommands_takeVerbose() {
    assertThat(option(kiln.getSubcommands().get("demo"))).isTrue();
    assertThat(option(kiln.getSubcommands().get("cloud").getSubcommands().get("run"))).isTrue();
    kiln.getSubcommands()
        .get("fleet")
        .getSubcommands()
        .forEach((name, command) -> assertThat(option(command)).as("fleet " + name).isTrue());
  }

  @Test
  void reportCommands_keepTheirOptionsAsTheyAre() {
    assertThat(option(kiln.getSubcommands().get("compile"))).isFalse();
    assertThat(option(kiln.getSubcommands().get("data"))).isFalse();
  }

  @Test
  void verboseHelp_namesTheFileTheLinesOtherwiseGoTo() {
    String help =
        kiln.getSubcommands()
            .get("cloud")
            .getSubcommands()
            .get("run")
            .getUsageMessage()
            .replaceAll("\\s+", " ");
    assertThat(help).contains("--verbose").contains("log beside the --db file");
  }

  private static boolean option(CommandLine command) {
    return command.getCommandSpec().findOption(RoutedLogs.VERBOSE) != null;
  }
}
