package dev.kiln.fleet.postgres;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.schema.SchemaMigrations;
import dev.kiln.schema.SchemaSeries;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;

/**
 * One connection to the shared PostgreSQL for one owner (the fleet state, the leader lease, the
 * inbox, a service table): opened on first use, with the owner's schema series migrated then
 * ({@link SchemaMigrations}, under its advisory lock), and closed after any error, so the next call
 * connects again; a server restart costs the one call that finds its connection cut. Calls are
 * serialized.
 *
 * <p>Contract: a call that throws has had its connection closed, so nothing of an unfinished
 * transaction survives it; whether its work committed is the work's own business (autocommit
 * statements are durable when they return, a transaction when it commits).
 */
public final class ReconnectingConnection implements AutoCloseable {
  /** Work against the open connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final PostgresUrl url;
  private final List<SchemaSeries> schemas;
  private final Function<SQLException, RuntimeException> failure;
  private Connection connection;

  /**
   * @param failure turns an SQL error into the owner's exception (its message names the owner)
   * @param schemas migrated in this order on every new connection
   */
  public ReconnectingConnection(
      PostgresUrl url,
      Function<SQLException, RuntimeException> failure,
      List<SchemaSeries> schemas) {
    this.url = url;
    this.failure = failure;
    this.schemas = List.copyOf(schemas);
  }

  public PostgresUrl url() {
    return url;
  }

  /** Connects (and migrates) now, so a bad URL or a refused schema fails at start. */
  public ReconnectingConnection open() {
    run(c -> null);
    return this;
  }

  public synchronized <T> T run(Work<T> work) {
    try {
      if (connection == null || connection.isClosed()) {
        connection = url.connect();
        for (SchemaSeries s : schemas) {
          SchemaMigrations.apply(connection, SchemaMigrations.Engine.POSTGRESQL, s);
        }
      }
      return work.run(connection);
    } catch (SchemaMigrations.NewerSchemaException e) {
      closeQuietly();
      throw new FleetException(FleetErrorCode.CONFIG_INVALID, e.getMessage(), e);
    } catch (SQLException e) {
      closeQuietly();
      throw failure.apply(e);
    }
  }

  private void closeQuietly() {
    try {
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException ignored) {
      // Being replaced anyway.
    }
    connection = null;
  }

  @Override
  public synchronized void close() {
    closeQuietly();
  }
}
