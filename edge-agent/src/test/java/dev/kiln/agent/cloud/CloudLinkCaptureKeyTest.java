package dev.kiln.agent.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.config.ConfigLoader;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.agent.serving.ServedInference;
import dev.kiln.files.KeyFiles;
import dev.kiln.link.error.LinkException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's capture path with {@code cloud.capture.encryptionKeyFile}: served inputs reach the
 * disk outbox sealed. The broker is unreachable, so every record stays on disk to be looked at.
 */
class CloudLinkCaptureKeyTest {
  private static final String MARKER = "MARKER-INPUT-c0ffee";

  @TempDir Path tmp;

  private AgentConfig config(String keyFile) {
    String capture = keyFile == null ? "{}" : "{\"encryptionKeyFile\": \"" + keyFile + "\"}";
    return ConfigLoader.parse(
        "{\"deviceId\": \"dev-1\", \"stateDir\": \"state\", \"cloud\": {\"brokerUrl\":"
            + " \"tcp://127.0.0.1:1\", \"capture\": "
            + capture
            + "}}",
        tmp);
  }

  private static ServedInference served(int i) {
    Tensor in = Tensor.ofFloats(new long[] {1, 4}, new float[] {1.5f, 2.5f, 3.5f, i});
    return new ServedInference(
        MARKER + "-req-" + i,
        "mlp",
        "1.0.0",
        "production",
        false,
        Map.of(MARKER + "_input", in),
        Map.of("out", in),
        1000,
        null,
        Instant.now());
  }

  private String outboxBytes() throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.list(tmp.resolve("state/link/capture"))) {
      for (Path f : files.toList()) {
        all.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
      }
    }
    return all.toString();
  }

  private void capture(AgentConfig config, int n) {
    try (CloudLink link = CloudLink.start(config)) {
      for (int i = 0; i < n; i++) {
        link.sink().capture(served(i));
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> link.writtenToDisk() >= n);
    }
  }

  @Test
  void withoutAKey_theMarkerIsOnDisk_soTheEncryptedCaseCanFail() throws IOException {
    capture(config(null), 20);
    assertThat(outboxBytes()).contains(MARKER);
  }

  @Test
  void withAKey_noOutboxFileHoldsTheCapturedInputs() throws IOException {
    Path key = tmp.resolve("keys/capture.key");
    KeyFiles.create(key);
    capture(config("keys/capture.key"), 20);
    assertThat(outboxBytes()).doesNotContain(MARKER).doesNotContain("mlp");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve("state/link/capture"))))
        .isEqualTo("rwx------");
  }

  @Test
  void keyInsideTheStateDir_isRefusedAtStart() throws IOException {
    Files.createDirectories(tmp.resolve("state"));
    KeyFiles.create(tmp.resolve("state/capture.key"));
    assertThatThrownBy(() -> CloudLink.start(config("state/capture.key")))
        .isInstanceOf(LinkException.class)
        .hasMessageContaining("cloud.capture.encryptionKeyFile")
        .hasMessageContaining("the key is never in the same folder as the data");
  }

  @Test
  void keyReadableByOthers_isRefusedAtStart_namingChmod600() throws IOException {
    Path key = tmp.resolve("capture.key");
    KeyFiles.create(key);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
    assertThatThrownBy(() -> CloudLink.start(config("capture.key")))
        .isInstanceOf(LinkException.class)
        .hasMessageContaining("chmod 600");
  }

  @Test
  void configLoader_readsDurability_asyncByDefault_andRefusesOtherValues() {
    assertThat(config(null).cloud().capture().durability()).isEqualTo("async");
    String json =
        "{\"cloud\": {\"brokerUrl\": \"tcp://127.0.0.1:1\", \"capture\": {\"durability\": \"%s\"}}}";
    assertThat(ConfigLoader.parse(json.formatted("sync"), tmp).cloud().capture().durability())
        .isEqualTo("sync");
    assertThatThrownBy(() -> ConfigLoader.parse(json.formatted("fsync"), tmp))
        .hasMessageContaining("cloud.capture.durability")
        .hasMessageContaining("use async or sync");
  }

  @Test
  void configLoader_readsTheKeyPath_relativeToTheConfigFolder() {
    assertThat(config("k/capture.key").cloud().capture().encryptionKeyFile())
        .isEqualTo(tmp.resolve("k/capture.key"));
    assertThat(config(null).cloud().capture().encryptionKeyFile()).isNull();
  }
}
