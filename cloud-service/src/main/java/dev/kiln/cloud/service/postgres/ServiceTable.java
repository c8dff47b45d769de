package dev.kiln.cloud.service.postgres;

import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.fleet.postgres.SchemaMigrations;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * One connection to the shared PostgreSQL for one small table of the service: opened (and the
 * table's migrations applied, versioned in {@code kiln_schema} under its component) on first use,
 * reopened after an error. Calls are serialized; each is one statement in autocommit, so it is
 * durable when it returns.
 */
public final class ServiceTable implements AutoCloseable {
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final PostgresUrl url;
  private final String component;
  private final List<String> migrations;
  private Connection connection;

  public ServiceTable(PostgresUrl url, String component, List<String> migrations) {
    this.url = url;
    this.component = component;
    this.migrations = migrations;
  }

  public synchronized <T> T run(Work<T> work) {
    try {
      if (connection == null || connection.isClosed()) {
        connection = url.connect();
        SchemaMigrations.apply(connection, component, ServiceTable.class, migrations);
      }
      return work.run(connection);
    } catch (SQLException e) {
      closeQuietly();
      throw new IllegalStateException(component + " on " + url + ": " + e.getMessage(), e);
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
