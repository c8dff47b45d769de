package dev.kiln.cloud.store;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import dev.kiln.files.OwnerOnly;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DuckDB store, the embedded default: captures keyed by record id, the device registry,
 * heartbeat history. Writes are transactions; a method that returns has committed. De-duplication
 * is in the database ({@code ON CONFLICT DO NOTHING} on the primary key), so a batch delivered
 * twice stores its records once. One connection, synchronized: DuckDB allows one writing process
 * per file anyway.
 *
 * <p>At rest: a folder the store creates for its file is created 0700. DuckDB creates the database
 * file and its write-ahead log itself, with the process umask; the store narrows them to 0600 on
 * open and after every commit, and warns at open when the folder lets other users in, since the log
 * is readable in between unless the umask is 077 (the {@code kiln} launcher sets it for {@code kiln
 * cloud}). DuckDB's own encryption is not used: from 1.4.1 it writes encrypted files only with the
 * httpfs extension loaded, which the JDBC jar does not carry (docs/security.md).
 */
public final class DuckDbCaptureStore implements CaptureStore {
  private static final Logger LOG = LoggerFactory.getLogger(DuckDbCaptureStore.class);

  /**
   * DuckDB checkpoints when its write-ahead log reaches this size (default 16 MB, about a thousand
   * CNN-sized captures). Each checkpoint rewrites and compresses table blocks on the ingest thread;
   * at 256 MB ingest measured 1.6x the records/s (bench/run capture-stores). The cost: a log of up
   * to 256 MB to replay when a crashed process opens the file again.
   */
  private static final String CHECKPOINT_THRESHOLD = "256MB";

  private final Connection conn;
  private final Path file;

  private DuckDbCaptureStore(Connection conn, Path file) {
    this.conn = conn;
    this.file = file;
  }

  /** Opens or creates {@code file} for writing and applies the schema. */
  public static DuckDbCaptureStore open(Path file) {
    DuckDbCaptureStore s = new DuckDbCaptureStore(connect(file, false), file);
    s.createSchema();
    s.keepPrivate();
    warnIfFolderShared(file);
    return s;
  }

  /** Opens an existing store read-only, for queries and exports. */
  public static DuckDbCaptureStore openReadOnly(Path file) {
    if (!Files.exists(file)) {
      throw new CloudException(
          CloudErrorCode.DB_OPEN_FAILED,
          "no capture database at "
              + file
              + "; run `kiln cloud run --db "
              + file
              + "` first or pass --db");
    }
    return new DuckDbCaptureStore(connect(file, true), file);
  }

  private static Connection connect(Path file, boolean readOnly) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (!readOnly && parent != null && !Files.isDirectory(parent)) {
        OwnerOnly.createDirectories(parent);
      }
      Properties p = new Properties();
      if (readOnly) {
        p.setProperty("duckdb.read_only", "true");
      }
      return DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), p);
    } catch (SQLException e) {
      String msg = String.valueOf(e.getMessage());
      if (msg.contains("lock")) {
        throw new CloudException(
            CloudErrorCode.DB_LOCKED,
            file
                + " is open in another process (DuckDB allows one writer per file): stop `kiln cloud"
                + " run` using it, or copy the file and query the copy",
            e);
      }
      throw new CloudException(
          CloudErrorCode.DB_OPEN_FAILED, "cannot open " + file + ": " + msg, e);
    } catch (java.io.IOException e) {
      throw new CloudException(
          CloudErrorCode.DB_OPEN_FAILED, "cannot create " + file.getParent(), e);
    }
  }

  private void createSchema() {
    try {
      try (Statement st = conn.createStatement()) {
        st.execute("SET checkpoint_threshold = '" + CHECKPOINT_THRESHOLD + "'");
      }
      Migrations.apply(conn, Dialect.DUCKDB);
    } catch (SQLException e) {
      throw new CloudException(CloudErrorCode.DB_OPEN_FAILED, "cannot create schema in " + file, e);
    }
  }

  @Override
  public Dialect dialect() {
    return Dialect.DUCKDB;
  }

  @Override
  public StoreLocation location() {
    return StoreLocation.duckdb(file);
  }

  public Path file() {
    return file;
  }

  /**
   * Inserts a batch in one transaction; returns how many records were new (the rest were
   * duplicates).
   */
  @Override
  public synchronized int insertRows(List<CaptureRow> rows, String batchId) throws SQLException {
    return inTransaction(c -> CaptureInsert.insert(c, Dialect.DUCKDB, rows, batchId));
  }

  /** Runs {@code work} in one transaction on the store's connection. */
  @Override
  public synchronized <T> T inTransaction(SqlWork<T> work) throws SQLException {
    conn.setAutoCommit(false);
    try {
      T result = work.run(conn);
      conn.commit();
      keepPrivate();
      return result;
    } catch (SQLException | RuntimeException e) {
      conn.rollback();
      throw e;
    } finally {
      conn.setAutoCommit(true);
    }
  }

  /** Runs a read on the store's connection. */
  @Override
  public synchronized <T> T read(SqlWork<T> work) {
    try {
      return work.run(conn);
    } catch (SQLException e) {
      throw new CloudException(CloudErrorCode.QUERY_FAILED, e.getMessage(), e);
    }
  }

  /**
   * Runs a long read on a second connection to the same database, so the ingestor's writes on the
   * main connection go on meanwhile (DuckDB isolates the read as a snapshot). The connection
   * streams results ({@code jdbc_stream_results}), so a scan over millions of rows holds one chunk
   * at a time, not the whole result.
   */
  @Override
  public <T> T scan(SqlWork<T> work) {
    try (Connection second = conn.unwrap(org.duckdb.DuckDBConnection.class).duplicate()) {
      try (Statement st = second.createStatement()) {
        st.execute("SET jdbc_stream_results = true");
      }
      return work.run(second);
    } catch (SQLException e) {
      throw new CloudException(CloudErrorCode.QUERY_FAILED, e.getMessage(), e);
    }
  }

  /**
   * Narrows the database, its write-ahead log (recreated after each checkpoint) and its spill
   * folder to the owner: one stat each when they are already private.
   */
  private void keepPrivate() {
    try {
      OwnerOnly.narrow(file, OwnerOnly.FILE);
      Path wal = file.resolveSibling(file.getFileName() + ".wal");
      if (Files.exists(wal)) {
        OwnerOnly.narrow(wal, OwnerOnly.FILE);
      }
      Path spill = file.resolveSibling(file.getFileName() + ".tmp");
      if (Files.isDirectory(spill)) {
        OwnerOnly.narrow(spill, OwnerOnly.FOLDER);
      }
    } catch (java.io.IOException e) {
      LOG.warn("cannot narrow the modes of {} to its owner: {}", file, e.toString());
    }
  }

  private static void warnIfFolderShared(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    try {
      if (parent != null
          && OwnerOnly.posix(parent)
          && OwnerOnly.sharedWithOthers(Files.getPosixFilePermissions(parent))) {
        LOG.warn(
            "captures are stored in {}, whose folder {} other users may enter: DuckDB creates its"
                + " write-ahead log with the process umask before Kiln narrows it to 0600. Keep the"
                + " database in a folder only its owner can enter (chmod 700 {}), or run with umask"
                + " 077 (the kiln launcher does for kiln cloud)",
            file,
            parent,
            parent);
      }
    } catch (java.io.IOException e) {
      LOG.debug("cannot read the modes of {}", parent, e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      conn.close();
    } catch (SQLException e) {
      // Closing is best effort; DuckDB checkpoints on close when it can.
    }
  }
}
