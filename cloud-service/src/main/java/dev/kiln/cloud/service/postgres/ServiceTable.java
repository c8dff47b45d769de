package dev.kiln.cloud.service.postgres;

import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.fleet.postgres.ReconnectingConnection;
import dev.kiln.schema.SchemaSeries;
import java.util.List;

/**
 * One connection to the shared PostgreSQL for one small table of the service: opened (and the
 * table's schema series migrated) on first use, reopened after an error ({@link
 * ReconnectingConnection}). Calls are serialized; each is one statement in autocommit, so it is
 * durable when it returns.
 */
public final class ServiceTable implements AutoCloseable {
  private final ReconnectingConnection connection;

  /**
   * @param series the table's schema series, e.g. {@code tokens}
   * @param migrations its scripts beside this class, oldest first
   */
  public ServiceTable(PostgresUrl url, String series, List<String> migrations) {
    SchemaSeries schema =
        SchemaSeries.of(series, ServiceTable.class, migrations.toArray(String[]::new))
            .adoptingPostgresComponent();
    this.connection =
        new ReconnectingConnection(
            url,
            e -> new IllegalStateException(series + " on " + url + ": " + e.getMessage(), e),
            List.of(schema));
  }

  public <T> T run(ReconnectingConnection.Work<T> work) {
    return connection.run(work);
  }

  @Override
  public void close() {
    connection.close();
  }
}
