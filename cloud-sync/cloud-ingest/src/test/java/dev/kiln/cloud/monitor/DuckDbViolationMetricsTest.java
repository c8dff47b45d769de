package dev.kiln.cloud.monitor;

import dev.kiln.cloud.store.CaptureStore;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The contract on DuckDB files, the embedded default. */
class DuckDbViolationMetricsTest extends ViolationMetricsContract {
  @TempDir Path tmp;
  private final AtomicInteger files = new AtomicInteger();

  @Override
  CaptureStore newStore() {
    return CaptureStore.open(tmp.resolve("store-" + files.incrementAndGet() + ".duckdb"));
  }
}
