package dev.kiln.cloud.service.inbox;

import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.testkit.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The inbox contract on a real PostgreSQL, a fresh database per test. */
class PostgresInboxTest extends InboxContract {
  private static PostgresServer server;
  private PostgresUrl url;

  @BeforeAll
  static void startServer() {
    PostgresServer.requireInstalled();
    server = PostgresServer.start(PostgresServer.Options.defaults().fsync(false));
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void freshDatabase() {
    url = PostgresUrl.parse(server.createDatabase("inbox").storeUri());
  }

  @Override
  Inbox open() {
    return PostgresInbox.open(url);
  }
}
