package dev.kiln.cloud.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.cloud.it.Fixtures;
import dev.kiln.testkit.PostgresServer;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a real PostgreSQL server (testkit's fixture: initdb into a temporary
 * folder, a free port), one fresh database per test; plus what only a shared store has to survive.
 */
class PostgresCaptureStoreContractIT extends CaptureStoreContract {
  private static PostgresServer server;

  @BeforeAll
  static void startServer() {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  StoreLocation newLocation() {
    return StoreLocation.parse(server.createDatabase("contract").storeUri());
  }

  @Override
  Dialect dialect() {
    return Dialect.POSTGRESQL;
  }

  @Test
  void replicasStartingTogether_migrateOnce_andShareTheStore() throws Exception {
    StoreLocation where = newLocation();
    int replicas = 4;
    CyclicBarrier together = new CyclicBarrier(replicas);
    ExecutorService pool = Executors.newFixedThreadPool(replicas);
    List<CaptureStore> opened = new ArrayList<>();
    try {
      List<Future<CaptureStore>> starts = new ArrayList<>();
      for (int i = 0; i < replicas; i++) {
        Callable<CaptureStore> open =
            () -> {
              together.await();
              return CaptureStore.open(where);
            };
        starts.add(pool.submit(open));
      }
      for (Future<CaptureStore> f : starts) {
        opened.add(f.get());
      }
      // Every replica inserts the same records: one copy each is stored.
      int inserted = 0;
      for (CaptureStore s : opened) {
        inserted += s.insertCaptures(records(0, 100), "b");
      }
      assertThat(inserted).isEqualTo(100);
      CaptureStore any = opened.get(0);
      assertThat(Fixtures.count(any, "SELECT count(*) FROM captures")).isEqualTo(100);
      assertThat(Fixtures.count(any, "SELECT count(*) FROM kiln_schema_versions"))
          .isEqualTo(Fixtures.count(any, "SELECT max(version) FROM kiln_schema_versions"));
    } finally {
      opened.forEach(CaptureStore::close);
      pool.shutdownNow();
    }
  }

  @Test
  void aDatabaseAtANewerCaptureSchema_isRefused_notWritten() throws Exception {
    StoreLocation where = newLocation();
    try (CaptureStore s = CaptureStore.open(where)) {
      s.inTransaction(
          c -> {
            try (Statement st = c.createStatement()) {
              return st.executeUpdate(
                  "INSERT INTO kiln_schema_versions VALUES ('captures', 99, current_timestamp)");
            }
          });
    }
    assertThatThrownBy(() -> CaptureStore.open(where))
        .hasMessageContaining("schema version 99")
        .hasMessageContaining("run the newer kiln");
  }

  @Test
  void afterTheServerRestarts_theStoreConnectsAgain() throws Exception {
    try (CaptureStore s = CaptureStore.open(newLocation())) {
      assertThat(s.insertCaptures(records(0, 10), "b1")).isEqualTo(10);
      server.restart();
      // The call that finds its connection cut fails and stores nothing (the ingestor leaves the
      // batch unacknowledged); the next one connects again.
      assertThatThrownBy(() -> s.insertCaptures(records(10, 20), "b2"))
          .isInstanceOf(SQLException.class);
      assertThat(s.insertCaptures(records(10, 20), "b2")).isEqualTo(10);
      assertThat(Fixtures.count(s, "SELECT count(*) FROM captures")).isEqualTo(20);
    }
  }

  @Test
  void tensorColumns_areStoredOutOfLine_withoutACompressionTry() throws Exception {
    try (CaptureStore s = CaptureStore.open(newLocation())) {
      String storage =
          s.read(
              c -> {
                try (Statement st = c.createStatement();
                    ResultSet rs =
                        st.executeQuery(
                            "SELECT string_agg(attname || '=' || attstorage::text, ',' ORDER BY attname)"
                                + " FROM pg_attribute WHERE attrelid = 'captures'::regclass"
                                + " AND attname IN ('inputs', 'outputs')")) {
                  rs.next();
                  return rs.getString(1);
                }
              });
      // 'e' is EXTERNAL: out of line, never compressed.
      assertThat(storage).isEqualTo("inputs=e,outputs=e");
    }
  }
}
