package dev.kiln.fleet.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.CommandReply;
import dev.kiln.link.protocol.signing.CommandSignature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  private static final KeyPair KEY = Ed25519Keys.generate();
  @TempDir Path dir;

  private static AuditRecord command(String id, String device, String type) {
    Command c =
        CommandSignature.sign(
            new Command(1, id, type, device, 1_000, 2_000, "n", null, null, null), KEY);
    return AuditRecord.command(c, "dep-1", "mlp", "2", "abc", "alice");
  }

  private static AuditRecord outcome(String id, String device, CommandReply.Status s, String code) {
    return AuditRecord.outcome(
        new CommandReply(1, id, device, s, code, null, "m", 3), "dep-1", 3_000);
  }

  private void writeFive() {
    try (AuditLog log = AuditLog.open(dir)) {
      log.append(List.of(command("c1", "d1", "deploy"), command("c2", "d2", "deploy")));
      log.append(List.of(outcome("c1", "d1", CommandReply.Status.SUCCEEDED, null)));
      log.append(
          List.of(
              outcome("c2", "d2", CommandReply.Status.REJECTED, "INCOMPATIBLE_ARTIFACT"),
              command("c3", "d1", "rollback")));
    }
  }

  private List<String> lines() throws IOException {
    return Files.readAllLines(dir.resolve(AuditLog.FILE));
  }

  @Test
  void appendedRecords_formAnIntactChain_acrossReopens_inA0600File() throws IOException {
    writeFive();
    assertThat(lines()).hasSize(5);
    assertThat(lines().get(0)).contains("\"prev\":\"" + "0".repeat(64) + "\"");
    AuditTrail.Verification v = AuditTrail.verify(dir);
    assertThat(v.intact()).isTrue();
    assertThat(v.lines()).isEqualTo(5);
    assertThat(v.head()).hasSize(64);
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(AuditLog.FILE))))
        .isEqualTo("rw-------");
  }

  @Test
  void commandRecords_nameTheSigningKey_operatorAndTarget_andOutcomesJoinTheirCommand() {
    writeFive();
    List<AuditTrail.Entry> all = AuditTrail.read(dir, new AuditTrail.Filter(null, null, null));
    AuditRecord first = all.get(0).record();
    assertThat(first.keyId()).isEqualTo(Ed25519Keys.keyId(KEY.getPublic()));
    assertThat(first.operator()).isEqualTo("alice");
    assertThat(first.device()).isEqualTo("d1");
    assertThat(first.artifact() + "@" + first.version()).isEqualTo("mlp@2");
    AuditTrail.Entry rejected = all.get(3);
    assertThat(rejected.record().code()).isEqualTo("INCOMPATIBLE_ARTIFACT");
    assertThat(rejected.commandType()).isEqualTo("deploy");

    assertThat(AuditTrail.read(dir, new AuditTrail.Filter("d1", null, null)))
        .extracting(AuditTrail.Entry::line)
        .containsExactly(1, 3, 5);
    assertThat(AuditTrail.read(dir, new AuditTrail.Filter(null, null, "rollback")))
        .extracting(AuditTrail.Entry::line)
        .containsExactly(5);
  }

  @Test
  void anEditedLine_breaksTheChainAtTheNextLine_namingIt() throws IOException {
    writeFive();
    List<String> lines = new ArrayList<>(lines());
    lines.set(2, lines.get(2).replace("SUCCEEDED", "FAILED"));
    Files.write(dir.resolve(AuditLog.FILE), lines);
    AuditTrail.Verification v = AuditTrail.verify(dir);
    assertThat(v.intact()).isFalse();
    assertThat(v.brokenLine()).isEqualTo(4);
    assertThat(v.problem()).contains("line 3 was changed");
  }

  @Test
  void aDeletedLine_breaksTheChain() throws IOException {
    writeFive();
    List<String> lines = new ArrayList<>(lines());
    lines.remove(1);
    Files.write(dir.resolve(AuditLog.FILE), lines);
    AuditTrail.Verification v = AuditTrail.verify(dir);
    assertThat(v.brokenLine()).isEqualTo(2);
    assertThat(v.problem()).contains("deleted");
  }

  @Test
  void deletingTheFirstLine_isDetectedToo() throws IOException {
    writeFive();
    List<String> lines = new ArrayList<>(lines());
    lines.remove(0);
    Files.write(dir.resolve(AuditLog.FILE), lines);
    assertThat(AuditTrail.verify(dir).brokenLine()).isEqualTo(1);
  }

  @Test
  void aLineCutShortByACrash_isRemovedOnOpen_andTheChainContinues() throws IOException {
    writeFive();
    Files.write(
        dir.resolve(AuditLog.FILE),
        "{\"ts\":\"2026-".getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);
    try (AuditLog log = AuditLog.open(dir)) {
      log.append(List.of(command("c4", "d2", "deploy")));
    }
    assertThat(lines()).hasSize(6);
    assertThat(AuditTrail.verify(dir).intact()).isTrue();
  }

  @Test
  void noLogYet_readsEmpty_andVerifies() {
    assertThat(AuditTrail.read(dir, new AuditTrail.Filter(null, null, null))).isEmpty();
    assertThat(AuditTrail.verify(dir).intact()).isTrue();
  }
}
