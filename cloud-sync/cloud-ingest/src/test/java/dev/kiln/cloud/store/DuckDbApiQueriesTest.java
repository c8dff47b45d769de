package dev.kiln.cloud.store;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The contract on DuckDB files, the embedded default. */
class DuckDbApiQueriesTest extends ApiQueriesContract {
  @TempDir Path tmp;
  private final AtomicInteger files = new AtomicInteger();

  @Override
  CaptureStore newStore() {
    return CaptureStore.open(
        StoreLocation.duckdb(tmp.resolve("store-" + files.incrementAndGet() + ".duckdb")));
  }
}
