package dev.kiln.cloud.it;

import dev.kiln.cloud.store.StoreLocation;
import dev.kiln.testkit.PostgresServer;

/**
 * One real PostgreSQL server for the store contracts of this test JVM, started by the first test
 * that asks and stopped by the server's own shutdown hook; each caller gets a fresh database.
 * Contracts run many small classes against both stores, and one {@code initdb} per class would cost
 * more than the tests. No crash is tested here, so {@code fsync} is off.
 */
public final class SharedPostgres {
  private static PostgresServer server;

  private SharedPostgres() {}

  /** A new, empty database on the shared server, as a store location. */
  public static synchronized StoreLocation newDatabase(String prefix) {
    if (server == null) {
      server = PostgresServer.start(PostgresServer.Options.defaults().fsync(false));
    }
    return StoreLocation.parse(server.createDatabase(prefix).storeUri());
  }
}
