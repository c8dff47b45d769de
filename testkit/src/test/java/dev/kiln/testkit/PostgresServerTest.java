package dev.kiln.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PostgresServerTest {

  @Test
  void server_acceptsSql_inItsOwnDatabase_andLeavesNothingBehind() throws Exception {
    Path root;
    try (PostgresServer server = PostgresServer.start()) {
      root = server.dataDir().getParent().getParent();
      PostgresServer.Database db = server.createDatabase("PostgresServerTest");
      assertThat(db.storeUri()).startsWith("postgresql://127.0.0.1:" + server.port() + "/");
      try (Connection c = DriverManager.getConnection(db.jdbcUrl());
          Statement s = c.createStatement()) {
        s.execute("create table t (id text primary key)");
        s.execute("insert into t values ('a'), ('b') on conflict do nothing");
        try (ResultSet r =
            s.executeQuery(
                "select count(*), current_database(), current_setting('fsync') from t")) {
          r.next();
          assertThat(r.getInt(1)).isEqualTo(2);
          assertThat(r.getString(2)).isEqualTo(db.name());
          assertThat(r.getString(3)).isEqualTo("on");
        }
      }
      if (PostgresOsUser.forThisProcess().switches()) {
        // As root (CI), the server must run as the unprivileged user that owns its data.
        assertThat(Files.getOwner(server.dataDir()).getName())
            .isEqualTo(PostgresOsUser.UNPRIVILEGED);
      }
    }
    assertThat(root).doesNotExist();
  }

  @Test
  void sharedServer_isOnePerJvm_withFsyncOff_andOutlivesAClose() throws Exception {
    PostgresServer shared = PostgresServer.shared();
    assertThat(PostgresServer.shared()).isSameAs(shared);
    // A test that closes the server it was handed must not stop it for the tests after it.
    shared.close();
    PostgresServer.Database db = shared.createDatabase("fsync off");
    try (Connection c = DriverManager.getConnection(db.jdbcUrl());
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("show fsync")) {
      r.next();
      assertThat(r.getString(1)).isEqualTo("off");
    }
  }
}
