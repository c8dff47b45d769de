package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.error.ExitCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every subcommand of {@code kiln} exits with numbers from the one table in docs/exit-codes.md. */
class ExitCodesTest {
  @TempDir Path tmp;

  @Test
  void anExistingKey_exitsOutputExists_asCompileDoes() {
    String out = tmp.resolve("keys").toString();
    assertThat(CliRun.of("keys", "generate", "--out", out).exitCode()).isZero();

    CliRun again = CliRun.of("keys", "generate", "--out", out);

    assertThat(again.exitCode()).isEqualTo(ExitCode.OUTPUT_EXISTS.number()).isEqualTo(7);
    assertThat(again.err()).startsWith("error: ").contains("already exists");
  }

  @Test
  void anUnknownDeployment_exitsNotFound_notTheCompileCodeForAnUnsupportedModel() {
    CliRun run =
        CliRun.of("fleet", "status", "dep-9", "--state-dir", tmp.resolve("console").toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.NOT_FOUND.number()).isNotEqualTo(3);
    assertThat(run.err()).contains("NOT_FOUND").contains("dep-9");
  }

  @Test
  void aBadOption_exitsUsage() {
    assertThat(CliRun.of("fleet", "status", "--no-such-option").exitCode())
        .isEqualTo(ExitCode.USAGE.number());
  }

  @Test
  void anythingThatIsNotAKilnError_isABug_withItsStackTrace() {
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new KilnMain());
    cmd.setErr(new PrintWriter(err, true));

    int exit =
        new ExitCodes().handleExecutionException(new IllegalStateException("boom"), cmd, null);

    assertThat(exit).isEqualTo(ExitCode.INTERNAL.number()).isEqualTo(70);
    assertThat(err.toString()).contains("internal error (please report it)").contains("boom");
  }
}
