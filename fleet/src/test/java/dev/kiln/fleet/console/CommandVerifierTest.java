package dev.kiln.fleet.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.link.command.CommandVerifier;
import dev.kiln.link.command.CommandVerifier.Rejection;
import dev.kiln.link.command.ReplayWindow;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.signing.CommandSignature;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandVerifierTest {
  private static final long NOW = 1_700_000_000_000L;
  private final KeyPair console = Ed25519Keys.generate();
  private final CommandFactory factory = new CommandFactory(console, 60_000);
  @TempDir Path dir;

  private CommandVerifier verifier() {
    return new CommandVerifier(
        "dev1",
        Map.of(Ed25519Keys.keyId(console.getPublic()), console.getPublic()),
        new ReplayWindow(dir.resolve("replay.json")),
        5_000,
        3_600_000);
  }

  private byte[] deploy(String id, String device, long now) {
    return ProtocolJson.write(factory.create(id, "deploy", device, Map.of("version", "2"), now));
  }

  @Test
  void verify_accepts_aSignedFreshCommand_andItStillReadsAsAPlainCommand() {
    byte[] json = deploy("c1", "dev1", NOW);
    CommandVerifier.Verdict v = verifier().verify(json, NOW + 10);
    assertThat(v.accepted()).isTrue();
    assertThat(v.command().payload().get("version").asText()).isEqualTo("2");
    Command plain = ProtocolJson.read(json, Command.class);
    assertThat(plain.id()).isEqualTo("c1");
  }

  @Test
  void verify_rejects_unsignedCommands() {
    Command c = ProtocolJson.read(deploy("c1", "dev1", NOW), Command.class);
    Command unsigned = c.withSignature(null, null);
    CommandVerifier.Verdict v = verifier().verify(ProtocolJson.write(unsigned), NOW);
    assertThat(v.rejection()).isEqualTo(Rejection.UNSIGNED);
  }

  @Test
  void verify_rejects_aTamperedPayload() {
    Command c = ProtocolJson.read(deploy("c1", "dev1", NOW), Command.class);
    ((ObjectNode) c.payload()).put("version", "666");
    CommandVerifier.Verdict v = verifier().verify(ProtocolJson.write(c), NOW);
    assertThat(v.rejection()).isEqualTo(Rejection.BAD_SIGNATURE);
  }

  @Test
  void verify_accepts_aReorderedButUnchangedPayload() {
    byte[] json =
        ProtocolJson.write(
            factory.create(
                "c1", "deploy", "dev1", Map.of("a", 1, "b", Map.of("y", 2, "x", 3)), NOW));
    String reordered = new String(json).replace("\"a\":1,", "");
    reordered = reordered.replace("\"payload\":{", "\"payload\":{\"a\":1,");
    assertThat(verifier().verify(reordered.getBytes(), NOW).accepted()).isTrue();
  }

  @Test
  void verify_rejects_aForgedSignatureFromAnotherKey() {
    KeyPair attacker = Ed25519Keys.generate();
    Command forged =
        CommandSignature.sign(
            ProtocolJson.read(deploy("c1", "dev1", NOW), Command.class), attacker);
    assertThat(verifier().verify(ProtocolJson.write(forged), NOW).rejection())
        .isEqualTo(Rejection.UNTRUSTED_KEY);
    Command keyIdSpoofed =
        forged.withSignature(Ed25519Keys.keyId(console.getPublic()), forged.signature());
    assertThat(verifier().verify(ProtocolJson.write(keyIdSpoofed), NOW).rejection())
        .isEqualTo(Rejection.BAD_SIGNATURE);
  }

  @Test
  void verify_rejects_expiredAndFutureCommands() {
    assertThat(verifier().verify(deploy("c1", "dev1", NOW), NOW + 60_001).rejection())
        .isEqualTo(Rejection.EXPIRED);
    assertThat(verifier().verify(deploy("c2", "dev1", NOW + 10_000), NOW).rejection())
        .isEqualTo(Rejection.NOT_YET_VALID);
  }

  @Test
  void verify_rejects_aCommandForAnotherDevice() {
    CommandVerifier.Verdict v = verifier().verify(deploy("c1", "dev2", NOW), NOW);
    assertThat(v.rejection()).isEqualTo(Rejection.WRONG_DEVICE);
    assertThat(v.reason()).contains("dev2");
  }

  @Test
  void verify_rejects_replays_evenAfterARestart() {
    byte[] json = deploy("c1", "dev1", NOW);
    assertThat(verifier().verify(json, NOW).accepted()).isTrue();
    assertThat(verifier().verify(json, NOW + 1).rejection())
        .as("a new verifier reads the persisted window")
        .isEqualTo(Rejection.REPLAYED);
  }

  @Test
  void verify_rejects_aReusedNonceUnderANewId() {
    Command first = ProtocolJson.read(deploy("c1", "dev1", NOW), Command.class);
    CommandVerifier v = verifier();
    assertThat(v.verify(ProtocolJson.write(first), NOW).accepted()).isTrue();
    Command sameNonce =
        CommandSignature.sign(
            new Command(
                first.schema(),
                "c2",
                first.type(),
                first.deviceId(),
                first.issuedAt(),
                first.expiresAt(),
                first.nonce(),
                first.payload(),
                null,
                null),
            console);
    assertThat(v.verify(ProtocolJson.write(sameNonce), NOW).rejection())
        .isEqualTo(Rejection.REPLAYED);
  }

  @Test
  void verify_rejects_malformedJson() {
    assertThat(verifier().verify("{not json".getBytes(), NOW).rejection())
        .isEqualTo(Rejection.MALFORMED);
  }
}
