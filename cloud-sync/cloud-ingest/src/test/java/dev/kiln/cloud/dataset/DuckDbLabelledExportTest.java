package dev.kiln.cloud.dataset;

import dev.kiln.cloud.store.CaptureStore;

/** The contract on a DuckDB file, the embedded default. */
class DuckDbLabelledExportTest extends LabelledExportContract {
  @Override
  CaptureStore newStore() {
    return CaptureStore.open(tmp.resolve("q.duckdb"));
  }
}
