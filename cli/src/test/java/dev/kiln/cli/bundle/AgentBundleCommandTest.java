package dev.kiln.cli.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AgentBundleCommandTest {

  // The build points java.io.tmpdir at target/tmp, which @TempDir needs to exist.
  @BeforeAll
  static void createTmpdir() throws java.io.IOException {
    java.nio.file.Files.createDirectories(
        java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
  }

  @TempDir Path repo;
  @TempDir Path out;

  private final StringWriter stdout = new StringWriter();
  private final StringWriter stderr = new StringWriter();
  private String previousHome;

  @BeforeEach
  void pointKilnHomeAtFakeBuild() throws Exception {
    FakeAgentBuild.create(repo);
    previousHome = System.setProperty("kiln.home", repo.toString());
  }

  @AfterEach
  void restoreKilnHome() {
    if (previousHome == null) {
      System.clearProperty("kiln.home");
    } else {
      System.setProperty("kiln.home", previousHome);
    }
  }

  private int run(String... args) {
    CommandLine cli = new CommandLine(new AgentBundleCommand());
    cli.setOut(new PrintWriter(stdout, true));
    cli.setErr(new PrintWriter(stderr, true));
    return cli.execute(args);
  }

  @Test
  void bundle_printsTableWithTotals() {
    int exit = run("--target", "arm64", "-o", out.toString());

    assertThat(exit).as(stderr.toString()).isZero();
    assertThat(stdout.toString())
        .contains("ENTRY")
        .contains("lib/pytorch-native-cpu-2.7.1-linux-aarch64.jar")
        .contains("added for arm64")
        .contains("compressed")
        .contains("(arm64)");
  }

  @Test
  void bundle_printsJson_whenAsked() {
    int exit = run("--target", "x86_64", "-o", out.toString(), "--json");

    assertThat(exit).as(stderr.toString()).isZero();
    assertThat(stdout.toString())
        .contains("\"arch\" : \"x86_64\"")
        .contains("\"bundle\" : \"" + out.resolve("kiln-agent-0.1.0-SNAPSHOT-linux-x86_64.tar.gz"));
  }

  @Test
  void bundle_exitsWithUnknownTargetCode_forUnsupportedArch() {
    int exit = run("--target", "mips", "-o", out.toString());

    assertThat(exit).isEqualTo(BundleErrorCode.UNKNOWN_TARGET.exitCode());
    assertThat(stderr.toString()).contains("unknown target 'mips'");
  }
}
