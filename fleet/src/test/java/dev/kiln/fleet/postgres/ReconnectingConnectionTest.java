package dev.kiln.fleet.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.testkit.PostgresServer;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one PostgreSQL connection every fleet and service table works through, on a real server:
 * migrated when opened, replaced after any error (a server restart included), and refusing a
 * database whose schema is newer than this Kiln.
 */
class ReconnectingConnectionTest {
  private static PostgresServer server;

  @BeforeAll
  static void startServer() {
    PostgresServer.requireInstalled();
    server = PostgresServer.start(PostgresServer.Options.defaults().fsync(false));
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static ReconnectingConnection connection(PostgresUrl url) {
    return new ReconnectingConnection(
        url,
        e -> new IllegalStateException("test table: " + e.getMessage(), e),
        List.of(FleetSchema.SERIES));
  }

  private static long backend(ReconnectingConnection c) {
    return c.run(
        conn -> {
          try (Statement st = conn.createStatement();
              ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  @Test
  void opening_migratesTheSeries_once() {
    PostgresUrl url = PostgresUrl.parse(server.createDatabase("reconnect").storeUri());
    try (ReconnectingConnection a = connection(url).open();
        ReconnectingConnection b = connection(url).open()) {
      long rows =
          b.run(
              conn -> {
                try (Statement st = conn.createStatement();
                    ResultSet rs =
                        st.executeQuery(
                            "SELECT count(*) FROM kiln_schema_versions WHERE series = 'fleet'")) {
                  rs.next();
                  return rs.getLong(1);
                }
              });
      assertThat(rows).isEqualTo(FleetSchema.SERIES.latest());
    }
  }

  @Test
  void anSqlError_closesTheConnection_andTheNextCallOpensANewOne() {
    PostgresUrl url = PostgresUrl.parse(server.createDatabase("reconnect").storeUri());
    try (ReconnectingConnection c = connection(url).open()) {
      long first = backend(c);
      assertThat(backend(c)).as("kept while nothing fails").isEqualTo(first);
      assertThatThrownBy(
              () ->
                  c.run(
                      conn -> {
                        throw new SQLException("boom");
                      }))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("test table: boom");
      assertThat(backend(c)).isNotEqualTo(first);
    }
  }

  @Test
  void afterTheServerRestarts_oneCallFails_andTheNextConnectsAgain() {
    PostgresUrl url = PostgresUrl.parse(server.createDatabase("reconnect").storeUri());
    try (ReconnectingConnection c = connection(url).open()) {
      backend(c);
      server.restart();
      assertThatThrownBy(() -> backend(c)).isInstanceOf(IllegalStateException.class);
      assertThat(backend(c)).isPositive();
    }
  }

  @Test
  void aDatabaseAtANewerFleetSchema_isRefused() {
    PostgresUrl url = PostgresUrl.parse(server.createDatabase("reconnect").storeUri());
    try (ReconnectingConnection c = connection(url).open()) {
      c.run(
          conn -> {
            try (Statement st = conn.createStatement()) {
              return st.executeUpdate(
                  "INSERT INTO kiln_schema_versions VALUES ('fleet', 99, now())");
            }
          });
    }
    assertThatThrownBy(() -> connection(url).open())
        .isInstanceOf(FleetException.class)
        .hasMessageContaining("schema version 99")
        .satisfies(
            e -> assertThat(((FleetException) e).code()).isEqualTo(FleetErrorCode.CONFIG_INVALID));
  }

  @Test
  void aDatabaseMadeBeforeTheOneMigrationSeries_isAdopted_notMigratedAgain() throws Exception {
    PostgresUrl url = PostgresUrl.parse(server.createDatabase("reconnect").storeUri());
    String v1;
    try (var in = FleetSchema.class.getResourceAsStream("V1__fleet_state.sql")) {
      v1 = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    // What the Kiln of the last release left: the fleet tables, and their version as a row of
    // kiln_schema (component, version), beside another component's.
    try (ReconnectingConnection old =
        new ReconnectingConnection(
            url, e -> new IllegalStateException(e.getMessage(), e), List.of())) {
      old.run(
          conn -> {
            try (Statement st = conn.createStatement()) {
              st.execute(v1);
              st.execute(
                  "CREATE TABLE kiln_schema (component text NOT NULL, version int NOT NULL,"
                      + " applied_at timestamptz NOT NULL DEFAULT now(),"
                      + " PRIMARY KEY (component, version))");
              return st.executeUpdate(
                  "INSERT INTO kiln_schema (component, version) VALUES ('fleet', 1), ('inbox', 1)");
            }
          });
    }
    try (ReconnectingConnection c = connection(url).open()) {
      List<String> versions =
          c.run(
              conn -> {
                try (Statement st = conn.createStatement();
                    ResultSet rs =
                        st.executeQuery(
                            "SELECT series || ' ' || version FROM kiln_schema_versions"
                                + " ORDER BY 1")) {
                  List<String> out = new java.util.ArrayList<>();
                  while (rs.next()) {
                    out.add(rs.getString(1));
                  }
                  return out;
                }
              });
      // Only the fleet series was opened: its version adopted, the inbox's left for its owner.
      assertThat(versions).containsExactly("fleet 1");
    }
  }
}
