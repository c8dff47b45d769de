package dev.kiln.agent.http.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
  @TempDir Path state;

  @Test
  void ownToken_isCreatedOnFirstStart_256RandomBitsInA0600FileInA0700Folder() throws Exception {
    Path file = TokenFile.defaultLocation(state);
    BearerToken token = TokenFile.load(null, state);

    String written = Files.readString(file, StandardCharsets.US_ASCII).strip();
    assertThat(Base64.getUrlDecoder().decode(written)).hasSize(32);
    assertThat(written).matches("[A-Za-z0-9_-]{43}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
    assertThat(token.accepts("Bearer " + written)).isTrue();
  }

  @Test
  void ownToken_isReusedAfterwards() throws Exception {
    TokenFile.load(null, state);
    String first = Files.readString(TokenFile.defaultLocation(state));
    BearerToken again = TokenFile.load(null, state);
    assertThat(Files.readString(TokenFile.defaultLocation(state))).isEqualTo(first);
    assertThat(again.accepts("Bearer " + first.strip())).isTrue();
  }

  @Test
  void configuredToken_isRead_withItsTrailingNewlineIgnored() throws Exception {
    Path file = privateFile("from-the-operator\n");
    assertThat(TokenFile.load(file, state).accepts("Bearer from-the-operator")).isTrue();
    assertThat(Files.exists(TokenFile.defaultLocation(state))).as("no token of its own").isFalse();
  }

  @Test
  void aTokenFileOthersCanRead_stopsTheStart_namingTheChmodThatFixesIt() throws Exception {
    Path file = privateFile("t0ken");
    for (String mode : new String[] {"rw-r--r--", "rw-r-----", "rw----r--", "rw--w----"}) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
      assertThatThrownBy(() -> TokenFile.load(file, state))
          .as(mode)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("http.auth.tokenFile")
          .hasMessageContaining(mode)
          .hasMessageContaining("chmod 600 " + file);
    }
  }

  @Test
  void anOwnTokenMadeReadableLater_isRefusedToo() throws Exception {
    TokenFile.load(null, state);
    Path file = TokenFile.defaultLocation(state);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
    assertThatThrownBy(() -> TokenFile.load(null, state))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("chmod 600");
  }

  @Test
  void anEmptyOrMissingTokenFile_stopsTheStart() throws Exception {
    Path empty = privateFile(" \n");
    assertThatThrownBy(() -> TokenFile.load(empty, state))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("is empty");
    Path missing = state.resolve("nope");
    assertThatThrownBy(() -> TokenFile.load(missing, state))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("does not exist");
    assertThat(Files.exists(missing)).as("a configured file is never created").isFalse();
    Path spaced = privateFile("two words");
    assertThatThrownBy(() -> TokenFile.load(spaced, state))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("one printable word");
  }

  private Path privateFile(String content) throws Exception {
    Path file = Files.createTempFile(state, "token", "");
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }
}
