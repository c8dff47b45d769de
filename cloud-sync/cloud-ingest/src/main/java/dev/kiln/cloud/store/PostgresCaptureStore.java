package dev.kiln.cloud.store;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;

/**
 * The PostgreSQL store, shared by any number of {@code kiln cloud run} replicas. Same tables and
 * contract as {@link DuckDbCaptureStore}; exactly-once across replicas rests on the primary key of
 * each table and {@code ON CONFLICT DO NOTHING}: whichever replica commits a record first stores
 * it, the other's insert skips it.
 *
 * <p>One connection for writes and short reads (synchronized, as the ingestor writes from one
 * thread), and a fresh connection per {@link #scan}, so a long drift check or export does not hold
 * up ingest. A call that fails because the connection broke (the server restarted or failed over)
 * throws, as any failed write does, so the ingestor leaves that batch unacknowledged; the next call
 * connects again. A read-only store's connections are read-only sessions: {@code kiln data query}
 * cannot write through them.
 */
public final class PostgresCaptureStore implements CaptureStore {
  /** Rows a scan fetches per round trip: bounded memory for a scan over millions of rows. */
  private static final int SCAN_FETCH_SIZE = 1000;

  private final StoreLocation.Postgres location;
  private final boolean readOnly;
  private Connection conn;
  private boolean broken;

  private PostgresCaptureStore(StoreLocation.Postgres location, boolean readOnly, Connection conn) {
    this.location = location;
    this.readOnly = readOnly;
    this.conn = conn;
  }

  /**
   * Connects and, unless read-only, applies pending migrations (under an advisory lock, so replicas
   * starting together migrate once).
   */
  static PostgresCaptureStore open(StoreLocation.Postgres location, boolean readOnly) {
    Connection c = connect(location, readOnly, 0);
    try {
      if (!readOnly) {
        Migrations.apply(c, Dialect.POSTGRESQL);
      } else if (Migrations.current(c) == 0) {
        throw new SQLException("no Kiln capture schema (run `kiln cloud run --store` first)");
      }
    } catch (SQLException e) {
      closeQuietly(c);
      throw new CloudException(
          CloudErrorCode.DB_OPEN_FAILED,
          "cannot " + (readOnly ? "read" : "migrate") + " " + location + ": " + e.getMessage(),
          e);
    }
    return new PostgresCaptureStore(location, readOnly, c);
  }

  private static Connection connect(
      StoreLocation.Postgres location, boolean readOnly, int fetchSize) {
    try {
      Properties p = new Properties();
      p.setProperty("defaultRowFetchSize", String.valueOf(fetchSize));
      p.setProperty("ApplicationName", "kiln-cloud");
      // Multi-row inserts carry thousands of parameters; server-side prepare pays off at once.
      p.setProperty("prepareThreshold", "1");
      Connection c = DriverManager.getConnection(location.jdbcUrl(), p);
      c.setReadOnly(readOnly);
      return c;
    } catch (SQLException e) {
      throw new CloudException(
          CloudErrorCode.DB_OPEN_FAILED,
          "cannot connect to " + location + ": " + e.getMessage(),
          e);
    }
  }

  @Override
  public Dialect dialect() {
    return Dialect.POSTGRESQL;
  }

  @Override
  public StoreLocation location() {
    return location;
  }

  @Override
  public synchronized int insertRows(List<CaptureRow> rows, String batchId) throws SQLException {
    return inTransaction(c -> CaptureInsert.insert(c, Dialect.POSTGRESQL, rows, batchId));
  }

  @Override
  public synchronized <T> T inTransaction(SqlWork<T> work) throws SQLException {
    Connection conn = connection();
    conn.setAutoCommit(false);
    try {
      T result = work.run(conn);
      conn.commit();
      return result;
    } catch (SQLException e) {
      noteFailure(e);
      rollbackQuietly();
      throw e;
    } catch (RuntimeException e) {
      rollbackQuietly();
      throw e;
    } finally {
      if (!broken) {
        conn.setAutoCommit(true);
      }
    }
  }

  @Override
  public synchronized <T> T read(SqlWork<T> work) {
    try {
      return work.run(connection());
    } catch (SQLException e) {
      noteFailure(e);
      throw new CloudException(CloudErrorCode.QUERY_FAILED, e.getMessage(), e);
    }
  }

  /**
   * A cursor needs a transaction on PostgreSQL: with autocommit on, the driver would fetch the
   * whole result into memory before the first row.
   */
  @Override
  public <T> T scan(SqlWork<T> work) {
    try (Connection c = connect(location, true, SCAN_FETCH_SIZE)) {
      c.setAutoCommit(false);
      try {
        return work.run(c);
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new CloudException(CloudErrorCode.QUERY_FAILED, e.getMessage(), e);
    }
  }

  /** The connection, opened again first when the last call found it broken. */
  private Connection connection() throws SQLException {
    if (broken) {
      closeQuietly(conn);
      try {
        conn = connect(location, readOnly, 0);
      } catch (CloudException e) {
        throw new SQLException(e.getMessage(), "08001", e);
      }
      broken = false;
    }
    return conn;
  }

  /** SQLSTATE class 08 (connection exception) or 57P (the server shut down): connect again. */
  private void noteFailure(SQLException e) {
    String state = e.getSQLState();
    if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
      broken = true;
      return;
    }
    try {
      broken = conn.isClosed() || !conn.isValid(2);
    } catch (SQLException stillBroken) {
      broken = true;
    }
  }

  private void rollbackQuietly() {
    try {
      conn.rollback();
    } catch (SQLException e) {
      // The connection is broken; the server rolls the transaction back when it notices.
    }
  }

  @Override
  public synchronized void close() {
    closeQuietly(conn);
  }

  boolean readOnly() {
    return readOnly;
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // Best effort.
    }
  }
}
