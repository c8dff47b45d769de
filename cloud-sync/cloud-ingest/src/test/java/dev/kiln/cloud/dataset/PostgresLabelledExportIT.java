package dev.kiln.cloud.dataset;

import dev.kiln.cloud.it.SharedPostgres;
import dev.kiln.cloud.store.CaptureStore;

/** The contract on a real PostgreSQL server (a fresh database per test). */
class PostgresLabelledExportIT extends LabelledExportContract {
  @Override
  CaptureStore newStore() {
    return CaptureStore.open(SharedPostgres.newDatabase("labelled"));
  }
}
