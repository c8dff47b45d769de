package dev.kiln.cloud.store;

import dev.kiln.link.protocol.capture.CaptureRecord;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Where captured data lives: captures keyed by record id, the device status table, heartbeats,
 * feedback and drift violations. Two implementations, {@link DuckDbCaptureStore} (one file, the
 * embedded default) and {@link PostgresCaptureStore} (shared by ingest replicas), pass the same
 * contract tests. Their schema is versioned by numbered migration scripts applied at open.
 *
 * <p>Contract: a write method that returns has committed; one that throws has stored nothing of its
 * call. {@link #insertCaptures} de-duplicates by record id in the database, so a batch delivered
 * twice, to one ingestor or to two replicas sharing a store, stores each record once.
 */
public interface CaptureStore extends AutoCloseable {

  /** Opens or creates the DuckDB file for writing (the embedded default). */
  static CaptureStore open(Path file) {
    return open(StoreLocation.duckdb(file));
  }

  /** Opens the store for writing and brings its schema up to date. */
  static CaptureStore open(StoreLocation location) {
    if (location instanceof StoreLocation.DuckDb d) {
      return DuckDbCaptureStore.open(d.file());
    }
    return PostgresCaptureStore.open((StoreLocation.Postgres) location, false);
  }

  /** Opens an existing DuckDB file read-only, for queries and exports. */
  static CaptureStore openReadOnly(Path file) {
    return openReadOnly(StoreLocation.duckdb(file));
  }

  /** Opens an existing store read-only, for queries and exports. */
  static CaptureStore openReadOnly(StoreLocation location) {
    if (location instanceof StoreLocation.DuckDb d) {
      return DuckDbCaptureStore.openReadOnly(d.file());
    }
    return PostgresCaptureStore.open((StoreLocation.Postgres) location, true);
  }

  Dialect dialect();

  /** Where the store is, for messages (no password). */
  StoreLocation location();

  /**
   * Inserts a batch in one transaction; returns how many records were new (the rest were
   * duplicates, stored before by this or another replica).
   */
  default int insertCaptures(List<CaptureRecord> records, String batchId) throws SQLException {
    return insertRows(records.stream().map(CaptureRow::of).toList(), batchId);
  }

  /** The same for rows already flattened (the ingestor's path, {@link CaptureRow#parse}). */
  int insertRows(List<CaptureRow> rows, String batchId) throws SQLException;

  /**
   * Several batches in one transaction (the ingestor's group commit); returns how many records of
   * each were new. All or nothing.
   */
  default int[] insertGroups(List<List<CaptureRow>> batches, List<String> batchIds)
      throws SQLException {
    Dialect d = dialect();
    return inTransaction(
        c -> {
          int[] inserted = new int[batches.size()];
          for (int i = 0; i < inserted.length; i++) {
            inserted[i] = CaptureInsert.insert(c, d, batches.get(i), batchIds.get(i));
          }
          return inserted;
        });
  }

  /** Runs {@code work} in one transaction. */
  <T> T inTransaction(SqlWork<T> work) throws SQLException;

  /** Runs a short read. */
  <T> T read(SqlWork<T> work);

  /**
   * Runs a long read on its own connection, streaming results, so the ingestor's writes go on
   * meanwhile.
   */
  <T> T scan(SqlWork<T> work);

  @Override
  void close();

  /** Work against a JDBC connection. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }
}
