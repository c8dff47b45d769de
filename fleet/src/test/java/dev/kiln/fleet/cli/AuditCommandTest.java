package dev.kiln.fleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.error.ExitCode;
import dev.kiln.fleet.audit.AuditLog;
import dev.kiln.fleet.audit.AuditRecord;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.CommandReply;
import dev.kiln.link.protocol.signing.CommandSignature;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AuditCommandTest {
  private static final KeyPair KEY = Ed25519Keys.generate();
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new FleetCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--state-dir", dir.toString()));
    return cli.execute(all.toArray(String[]::new));
  }

  private void seed() {
    long now = System.currentTimeMillis();
    Command deploy =
        CommandSignature.sign(
            new Command(1, "c1", "deploy", "cam-1", now, now + 1000, "n", null, null, null), KEY);
    Command rollback =
        CommandSignature.sign(
            new Command(1, "c2", "rollback", "cam-2", now, now + 1000, "n", null, null, null), KEY);
    try (AuditLog log = AuditLog.open(dir)) {
      log.append(
          List.of(
              AuditRecord.command(deploy, "dep-1", "mlp", "2", "abc", "alice"),
              AuditRecord.command(rollback, "dep-1", "mlp", "previous", "abc", "alice")));
      log.append(
          List.of(
              AuditRecord.outcome(
                  new CommandReply(
                      1,
                      "c1",
                      "cam-1",
                      CommandReply.Status.REJECTED,
                      "INCOMPATIBLE_ARTIFACT",
                      null,
                      "arm64 only",
                      now),
                  "dep-1",
                  now)));
    }
  }

  @Test
  void audit_showsATable_filteredByDeviceAndType() {
    seed();
    assertThat(run("audit")).isZero();
    assertThat(out.toString())
        .contains("LINE", "KIND", "OUTCOME", "OPERATOR")
        .containsPattern(
            "1 +\\S+ +command +deploy +c1 +cam-1 +mlp@2 +- +"
                + Ed25519Keys.keyId(KEY.getPublic())
                + " +alice")
        .containsPattern(
            "3 +\\S+ +outcome +deploy +c1 +cam-1 +mlp@2 +REJECTED INCOMPATIBLE_ARTIFACT");

    out.getBuffer().setLength(0);
    assertThat(run("audit", "--device", "cam-2")).isZero();
    assertThat(out.toString()).contains("cam-2").doesNotContain("cam-1");

    out.getBuffer().setLength(0);
    assertThat(run("audit", "--type", "deploy", "--since", "1h", "--json")).isZero();
    assertThat(out.toString())
        .contains("\"line\" : 1", "\"line\" : 3", "\"code\" : \"INCOMPATIBLE_ARTIFACT\"")
        .doesNotContain("\"line\" : 2");

    out.getBuffer().setLength(0);
    assertThat(run("audit", "--since", "2999-01-01T00:00:00Z")).isZero();
    assertThat(out.toString()).doesNotContain("cam-1");
  }

  @Test
  void verify_exits0WhenIntact_and15NamingTheFirstBrokenLine() throws Exception {
    seed();
    assertThat(run("audit", "--verify")).isZero();
    assertThat(out.toString()).contains("3 lines, chain intact; head ");

    Path file = dir.resolve(AuditLog.FILE);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(0, lines.get(0).replace("alice", "mallory"));
    Files.write(file, lines);
    assertThat(run("audit", "--verify"))
        .isEqualTo(ExitCode.INTEGRITY_FAILED.number())
        .isEqualTo(15);
    assertThat(err.toString())
        .contains("the chain breaks at line 2")
        .contains("line 1 was changed");
  }

  @Test
  void badSince_isAUsageError() {
    assertThat(run("audit", "--since", "yesterday")).isEqualTo(2);
    assertThat(err.toString()).contains("neither an instant");
  }
}
