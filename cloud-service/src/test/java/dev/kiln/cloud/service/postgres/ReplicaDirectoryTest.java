package dev.kiln.cloud.service.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.fleet.postgres.LeaderLease;
import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.testkit.PostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.OptionalLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Who leads, as a follower looks it up: the unexpired lease holder's registered API address. */
class ReplicaDirectoryTest {
  private static PostgresServer server;

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

  @Test
  void theLeader_isTheUnexpiredLeaseHolder_atTheAddressItRegistered() {
    PostgresUrl url = PostgresUrl.parse(server.createDatabase("replicas").storeUri());
    try (LeaderLease lease = new LeaderLease(url, Duration.ofMillis(800));
        ReplicaDirectory directory = ReplicaDirectory.open(url)) {
      lease.current(); // creates the lease table, as a replica's start does
      assertThat(directory.register("1@a", "http://a:8480/api/v1", "k1")).isEmpty();
      assertThat(directory.register("2@b", "http://b:8480/api/v1", "k1")).isEmpty();
      assertThat(directory.leader()).as("nobody holds the lease").isEmpty();

      OptionalLong epoch = lease.tryAcquire("2@b");
      assertThat(epoch).isPresent();
      assertThat(directory.leader())
          .contains(new ReplicaDirectory.Leader("2@b", "http://b:8480/api/v1"));

      // Not renewed: once it expires, there is no leader to forward to (a failover).
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> directory.leader().isEmpty());
    }
  }

  @Test
  void aReplicaWithAnotherConsoleKey_isToldAtRegistration() {
    PostgresUrl url = PostgresUrl.parse(server.createDatabase("replicas").storeUri());
    try (ReplicaDirectory directory = ReplicaDirectory.open(url)) {
      directory.register("1@a", "http://a:8480/api/v1", "k1");
      assertThat(directory.register("2@b", "http://b:8480/api/v1", "k2")).containsExactly("k1");
      // Re-registering a holder replaces its key: a fixed replica stops the warning.
      directory.register("2@b", "http://b:8480/api/v1", "k1");
      assertThat(directory.register("3@c", "http://c:8480/api/v1", "k1")).isEmpty();
    }
  }

  @Test
  void theLeader_removesReplicasNotSeenForTheRetention_andOnlyThem() {
    PostgresUrl url = PostgresUrl.parse(server.createDatabase("replicas").storeUri());
    StringWriter log = new StringWriter();
    try (ReplicaDirectory directory = ReplicaDirectory.open(url)) {
      directory.register("1@gone", "http://a:8480/api/v1", "k1");
      directory.register("2@live", "http://b:8480/api/v1", "k1");
      directory.register("3@leader", "http://c:8480/api/v1", "k1");
      // The killed replica was last seen an hour ago; the live one a few seconds ago.
      age(url, "1@gone", "1 hour");
      age(url, "2@live", "5 seconds");
      Duration retention = Duration.ofMinutes(10);
      ReplicaHousekeeping follower =
          new ReplicaHousekeeping(
              directory,
              "2@live",
              "http://b:8480/api/v1",
              "k1",
              () -> false,
              retention,
              new PrintWriter(log));
      ReplicaHousekeeping leader =
          new ReplicaHousekeeping(
              directory,
              "3@leader",
              "http://c:8480/api/v1",
              "k1",
              () -> true,
              retention,
              new PrintWriter(log));

      follower.tick();
      assertThat(directory.holders())
          .as("a follower removes nothing")
          .containsExactly("1@gone", "2@live", "3@leader");

      leader.tick();
      assertThat(directory.holders()).containsExactly("2@live", "3@leader");
      assertThat(log.toString()).contains("removed 1 replica(s) not seen for 600 s");

      // A replica whose row was removed while it was cut off puts it back when next seen.
      directory.removeUnseen(Duration.ZERO);
      assertThat(directory.holders()).isEmpty();
      follower.tick();
      assertThat(directory.holders()).containsExactly("2@live");
    }
  }

  private static void age(PostgresUrl url, String holder, String interval) {
    try (Connection c = url.connect();
        PreparedStatement p =
            c.prepareStatement(
                "UPDATE service_replicas SET seen_at = now() - CAST(? AS interval)"
                    + " WHERE holder = ?")) {
      p.setString(1, interval);
      p.setString(2, holder);
      assertThat(p.executeUpdate()).isEqualTo(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
