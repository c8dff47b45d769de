package dev.kiln.cloud.store;

import java.util.concurrent.atomic.AtomicInteger;

/** The store contract on DuckDB files, the embedded default. */
class DuckDbCaptureStoreContractTest extends CaptureStoreContract {
  private final AtomicInteger files = new AtomicInteger();

  @Override
  StoreLocation newLocation() {
    return StoreLocation.duckdb(tmp.resolve("store-" + files.incrementAndGet() + ".duckdb"));
  }

  @Override
  Dialect dialect() {
    return Dialect.DUCKDB;
  }
}
