package dev.kiln.cloud.service.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link TokenStore} must do; run against the file store and PostgreSQL. */
abstract class TokenStoreContract {
  @TempDir Path stateDir;

  /** A store on the same place as every other store this test opens (a second replica). */
  abstract TokenStore open(Path stateDir);

  @Test
  void create_thenAuthenticate_givesNameAndRole() {
    TokenStore s = open(stateDir);
    String token = s.create("ci", Role.OPERATOR);
    Caller c = s.authenticate(token);
    assertThat(c.name()).isEqualTo("ci");
    assertThat(c.role()).isEqualTo(Role.OPERATOR);
  }

  @Test
  void unknownOrBlankToken_isNoCaller() {
    TokenStore s = open(stateDir);
    String token = s.create("ci", Role.VIEWER);
    assertThat(s.authenticate(token + "x")).isNull();
    assertThat(s.authenticate("")).isNull();
    assertThat(s.authenticate(null)).isNull();
  }

  @Test
  void onlyTheHashIsStored() {
    TokenStore s = open(stateDir);
    String token = s.create("ci", Role.ADMIN);
    assertThat(s.entries())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.sha256()).isEqualTo(TokenStore.hash(token)).doesNotContain(token);
              assertThat(e.name()).isEqualTo("ci");
              assertThat(e.role()).isEqualTo("admin");
            });
  }

  @Test
  void aTokenMadeThroughOneStore_worksThroughAnother() {
    String token = open(stateDir).create("ops", Role.OPERATOR);
    assertThat(open(stateDir).authenticate(token).name()).isEqualTo("ops");
  }

  @Test
  void firstAdmin_isCreatedOnce_andWrittenToTheStateDir() {
    TokenStore s = open(stateDir);
    Path file = s.createFirstAdmin();
    assertThat(file).isEqualTo(stateDir.resolve(TokenStore.ADMIN_TOKEN_FILE));
    assertThat(s.authenticate(TokenStore.readTokenFile(file)).role()).isEqualTo(Role.ADMIN);
    assertThat(open(stateDir).createFirstAdmin()).isNull();
    assertThat(s.entries()).hasSize(1);
  }

  @Test
  void badName_isRefused() {
    TokenStore s = open(stateDir);
    assertThatThrownBy(() -> s.create("two words", Role.VIEWER))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
