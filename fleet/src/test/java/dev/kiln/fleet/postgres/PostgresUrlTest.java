package dev.kiln.fleet.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.fleet.FleetException;
import org.junit.jupiter.api.Test;

class PostgresUrlTest {
  @Test
  void libpqUrl_becomesJdbc_withTheUserApart_andThePasswordNeverShown() {
    PostgresUrl u =
        PostgresUrl.parse("postgresql://kiln:s3cret@db.local:6543/fleet?sslmode=require");
    assertThat(u.jdbcUrl())
        .isEqualTo(
            "jdbc:postgresql://db.local:6543/fleet?reWriteBatchedInserts=true&sslmode=require");
    assertThat(u.user()).isEqualTo("kiln");
    assertThat(u.password()).isEqualTo("s3cret");
    assertThat(u.toString())
        .isEqualTo("postgresql://kiln@db.local:6543/fleet")
        .doesNotContain("s3cret");
  }

  @Test
  void portDefaultsTo5432() {
    assertThat(PostgresUrl.parse("postgresql://db/fleet").jdbcUrl())
        .startsWith("jdbc:postgresql://db:5432/fleet?");
  }

  @Test
  void notAPostgresUrl_isRefused_sayingWhatTheFormIs() {
    assertThatThrownBy(() -> PostgresUrl.parse("postgresql://db"))
        .isInstanceOf(FleetException.class)
        .hasMessageContaining("postgresql://USER@HOST:PORT/DATABASE");
    assertThat(PostgresUrl.matches("duckdb:/tmp/x")).isFalse();
  }
}
