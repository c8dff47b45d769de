package dev.kiln.cloud.service.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.testkit.PostgresServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token contract on a real PostgreSQL, a fresh database per test. */
class PostgresTokenStoreTest extends TokenStoreContract {
  private PostgresUrl url;
  private final List<PostgresTokenStore> opened = new ArrayList<>();

  @BeforeEach
  void freshDatabase() {
    url = PostgresUrl.parse(PostgresServer.shared().createDatabase("tokens").storeUri());
  }

  @AfterEach
  void closeStores() {
    opened.forEach(PostgresTokenStore::close);
  }

  @Override
  TokenStore open(Path stateDir) {
    PostgresTokenStore s = PostgresTokenStore.open(url, stateDir);
    opened.add(s);
    return s;
  }

  @Test
  void replicasStartingTogether_createOneFirstAdmin(@TempDir Path other) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Path>> starts = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Path dir = other.resolve("replica-" + i);
        starts.add(() -> open(dir).createFirstAdmin());
      }
      List<Path> made = new ArrayList<>();
      for (Future<Path> f : pool.invokeAll(starts)) {
        if (f.get() != null) {
          made.add(f.get());
        }
      }
      assertThat(made).hasSize(1);
      assertThat(open(other).entries()).hasSize(1);
    } finally {
      pool.shutdown();
    }
  }
}
