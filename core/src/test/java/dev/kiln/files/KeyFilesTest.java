package dev.kiln.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
  @TempDir Path tmp;

  @Test
  void create_writesA0600Base64Key_thatReadsBackAs32Bytes() throws IOException {
    Path key = tmp.resolve("keys/capture.key");
    KeyFiles.create(key);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(key).trim()).hasSize(44);
    assertThat(KeyFiles.read(key, tmp.resolve("data"))).hasSize(32);
    assertThatThrownBy(() -> KeyFiles.create(key)).isInstanceOf(IOException.class);
  }

  @Test
  void raw32Bytes_areAKeyToo() throws IOException {
    Path key = tmp.resolve("raw.key");
    byte[] raw = new byte[32];
    raw[0] = 7;
    OwnerOnly.writeNew(key, raw);
    assertThat(KeyFiles.read(key, null)).isEqualTo(raw);
  }

  @Test
  void keyReadableByOthers_isRefused_namingChmod600() throws IOException {
    Path key = tmp.resolve("open.key");
    KeyFiles.create(key);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> KeyFiles.read(key, null))
        .isInstanceOf(KeyFiles.InvalidKeyFile.class)
        .hasMessageContaining("chmod 600 " + key)
        .hasMessageContaining("rw-r--r--");
  }

  @Test
  void keyInsideTheDataFolder_isRefused() throws IOException {
    Path data = tmp.resolve("data");
    Files.createDirectories(data.resolve("capture"));
    Path key = data.resolve("capture/../k.key");
    KeyFiles.create(key);
    assertThatThrownBy(() -> KeyFiles.read(key, data))
        .isInstanceOf(KeyFiles.InvalidKeyFile.class)
        .hasMessageContaining("the key is never in the same folder as the data");
  }

  @Test
  void symlinkIntoTheDataFolder_isRefused() throws IOException {
    Path data = Files.createDirectories(tmp.resolve("data"));
    KeyFiles.create(data.resolve("k.key"));
    Path link = Files.createSymbolicLink(tmp.resolve("link.key"), data.resolve("k.key"));
    assertThatThrownBy(() -> KeyFiles.read(link, data))
        .hasMessageContaining("the key is never in the same folder as the data");
  }

  @Test
  void wrongLength_isRefused_sayingHowToMakeOne() throws IOException {
    Path key = tmp.resolve("short.key");
    OwnerOnly.writeNew(key, "c2hvcnQ=\n".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> KeyFiles.read(key, null))
        .hasMessageContaining("32-byte key")
        .hasMessageContaining("head -c 32 /dev/urandom");
  }

  @Test
  void missingFile_isRefused() {
    assertThatThrownBy(() -> KeyFiles.read(tmp.resolve("none.key"), null))
        .isInstanceOf(KeyFiles.InvalidKeyFile.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void createDirectories_makes0700Folders() throws IOException {
    Path d = OwnerOnly.createDirectories(tmp.resolve("a/b"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d)))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.getParent())))
        .isEqualTo("rwx------");
  }
}
