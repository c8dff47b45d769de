package dev.kiln.bench.fleet;

import dev.kiln.bench.fleet.FleetRolloutBench.Store;
import dev.kiln.fleet.postgres.LeaderLease;
import dev.kiln.fleet.postgres.PostgresFleetState;
import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.fleet.state.FileFleetState;
import dev.kiln.fleet.state.FleetState;
import dev.kiln.testkit.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The console's state for one run: files in the work folder, or a PostgreSQL server started for the
 * run (fsync on, as the files are fsynced) with the console as the lease's only holder, the way a
 * leader replica writes.
 */
final class ConsoleState implements AutoCloseable {
  private final Store store;
  private final Path work;
  private final PostgresServer server;
  private final PostgresUrl url;

  private ConsoleState(Store store, Path work, PostgresServer server, PostgresUrl url) {
    this.store = store;
    this.work = work;
    this.server = server;
    this.url = url;
  }

  static ConsoleState open(Store store, Path work) {
    if (store == Store.FILES) {
      return new ConsoleState(store, work, null, null);
    }
    PostgresServer server = PostgresServer.start();
    return new ConsoleState(
        store, work, server, PostgresUrl.parse(server.createDatabase("fleet_rollout").storeUri()));
  }

  /** The state a console owns (and closes). */
  FleetState open() {
    if (store == Store.FILES) {
      return FileFleetState.forConsole(work.resolve("console"));
    }
    try (LeaderLease lease = new LeaderLease(url, Duration.ofHours(1))) {
      long epoch = lease.tryAcquire("bench").orElseThrow();
      return PostgresFleetState.forLeader(url, new LeaderLease.Fence("bench", epoch));
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
