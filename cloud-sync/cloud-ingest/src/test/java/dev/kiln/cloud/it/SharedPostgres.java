package dev.kiln.cloud.it;

import dev.kiln.cloud.store.StoreLocation;
import dev.kiln.testkit.PostgresServer;

/**
 * A fresh database on this test JVM's shared PostgreSQL server ({@link PostgresServer#shared}), as
 * the store location the capture-store contracts open.
 */
public final class SharedPostgres {
  private SharedPostgres() {}

  /** A new, empty database on the shared server, as a store location. */
  public static StoreLocation newDatabase(String prefix) {
    return StoreLocation.parse(PostgresServer.shared().createDatabase(prefix).storeUri());
  }
}
