package dev.kiln.cloud.monitor;

import dev.kiln.cloud.it.SharedPostgres;
import dev.kiln.cloud.store.CaptureStore;

/** The contract on a real PostgreSQL server (a fresh database per test). */
class PostgresViolationMetricsIT extends ViolationMetricsContract {
  @Override
  CaptureStore newStore() {
    return CaptureStore.open(SharedPostgres.newDatabase("violations"));
  }
}
