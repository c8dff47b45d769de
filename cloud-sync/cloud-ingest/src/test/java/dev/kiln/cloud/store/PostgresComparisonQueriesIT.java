package dev.kiln.cloud.store;

import dev.kiln.cloud.it.SharedPostgres;

/** The contract on a real PostgreSQL server (a fresh database per test). */
class PostgresComparisonQueriesIT extends ComparisonQueriesContract {
  @Override
  CaptureStore newStore() {
    return CaptureStore.open(SharedPostgres.newDatabase("comparisonqueries"));
  }
}
