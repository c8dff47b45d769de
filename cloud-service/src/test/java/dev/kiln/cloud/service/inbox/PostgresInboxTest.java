package dev.kiln.cloud.service.inbox;

import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.testkit.PostgresServer;
import org.junit.jupiter.api.BeforeEach;

/** The inbox contract on a real PostgreSQL, a fresh database per test. */
class PostgresInboxTest extends InboxContract {
  private PostgresUrl url;

  @BeforeEach
  void freshDatabase() {
    url = PostgresUrl.parse(PostgresServer.shared().createDatabase("inbox").storeUri());
  }

  @Override
  Inbox open() {
    return PostgresInbox.open(url);
  }
}
