package dev.kiln.agent.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InstallCommandTest {

  // The build points java.io.tmpdir at target/tmp, which @TempDir needs to exist.
  @BeforeAll
  static void createTmpdir() throws java.io.IOException {
    java.nio.file.Files.createDirectories(
        java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
  }

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int execute(Object command, String... args) {
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private String[] paths(String... extra) {
    String[] base = {
      "--prefix", dir.resolve("opt").toString(),
      "--systemd-dir", dir.resolve("systemd").toString(),
      "--etc-dir", dir.resolve("etc").toString()
    };
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  @Test
  void dryRun_printsThePlan_andWritesNothing() {
    int exit = execute(new InstallCommand(), paths("--dry-run"));

    assertThat(exit).isZero();
    assertThat(out.toString())
        .contains("[dry-run] write (unless present) " + dir.resolve("etc/agent.json"))
        .contains("[dry-run] write " + dir.resolve("systemd/kiln-agent.service"))
        .contains("dry run: nothing changed");
    assertThat(dir.resolve("systemd")).doesNotExist();
    assertThat(dir.resolve("etc")).doesNotExist();
  }

  @Test
  void install_fails_withConfigCode_whenConfigIsNotJson() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.json"), "{not json");

    int exit = execute(new InstallCommand(), paths("--dry-run", "--config", bad.toString()));

    assertThat(exit).isEqualTo(ServiceErrorCode.CONFIG_INVALID.exitCode());
    assertThat(err.toString()).contains("CONFIG_INVALID").contains("bad.json is not valid JSON");
  }

  @Test
  void uninstall_dryRun_namesWhatItWouldKeep() {
    int exit = execute(new UninstallCommand(), paths("--dry-run"));

    assertThat(exit).isZero();
    assertThat(out.toString())
        .contains("[dry-run] delete " + dir.resolve("systemd/kiln-agent.service"))
        .contains("pass --purge");
  }
}
