package dev.kiln.cloud.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.cloud.service.auth.Role;
import dev.kiln.cloud.service.auth.TokenStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code kiln cloud run --help} and {@code kiln cloud token create}. */
class CloudCommandTest {
  @TempDir Path tmp;

  @Test
  void cloudRun_helpListsTheOptions() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new CloudCommand());
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute("run", "--help")).isZero();
    assertThat(out.toString())
        .contains("--broker")
        .contains("--db")
        .contains("--port")
        .contains("--state-dir")
        .contains("--api-port")
        .contains("--api-bind")
        .contains("--api-url")
        .doesNotContain("--inbox-paused");
  }

  @Test
  void cloudRun_refusesApiUrl_withoutAPostgresStore() {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new CloudCommand());
    cli.setErr(new PrintWriter(err));
    cli.setExecutionExceptionHandler(
        (e, c, p) -> {
          err.write(e.getMessage());
          return 2;
        });
    assertThat(
            cli.execute(
                "run",
                "--db",
                tmp.resolve("k.duckdb").toString(),
                "--state-dir",
                tmp.resolve("state").toString(),
                "--api-url",
                "http://10.0.0.5:8480/api/v1"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--api-url").contains("PostgreSQL");
    assertThat(tmp.resolve("state")).doesNotExist();
  }

  @Test
  void tokenCreate_printsTheTokenOnce_andKeepsOnlyItsHash() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new CloudCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(new StringWriter()));
    assertThat(
            cli.execute(
                "token",
                "create",
                "--name",
                "ci",
                "--role",
                "operator",
                "--state-dir",
                tmp.toString()))
        .isZero();
    String token = out.toString().strip();
    assertThat(token).startsWith("kiln_");
    assertThat(Files.readString(tmp.resolve(TokenStore.FILE)))
        .doesNotContain(token)
        .contains("operator");
    assertThat(TokenStore.open(tmp).authenticate(token).role()).isEqualTo(Role.OPERATOR);
    assertThat(TokenStore.open(tmp).authenticate(token + "x")).isNull();
  }

  @Test
  void tokenCreate_refusesAnUnknownRole() {
    CommandLine cli = new CommandLine(new CloudCommand());
    cli.setErr(new PrintWriter(new StringWriter()));
    cli.setExecutionExceptionHandler((e, c, p) -> 2);
    assertThat(
            cli.execute(
                "token", "create", "--name", "ci", "--role", "root", "--state-dir", tmp.toString()))
        .isEqualTo(2);
    assertThat(tmp.resolve(TokenStore.FILE)).doesNotExist();
  }
}
