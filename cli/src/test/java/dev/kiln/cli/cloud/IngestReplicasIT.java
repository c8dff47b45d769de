package dev.kiln.cli.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.fleet.simulate.capture.CaptureLoad;
import dev.kiln.testkit.JvmLauncher;
import dev.kiln.testkit.JvmProcess;
import dev.kiln.testkit.Mosquitto;
import dev.kiln.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code kiln cloud run} processes share capture through an MQTT 5 shared subscription on a
 * real Mosquitto and store into one real PostgreSQL. Simulated devices publish; one replica is
 * killed with SIGKILL mid-stream (its open transaction and unacknowledged batches die with it) and
 * comes back, as a supervisor would restart it. Every record must be stored exactly once.
 */
class IngestReplicasIT {
  private static final int RECORDS = 4000;
  private static final String GROUP = "kiln-ingest";

  @TempDir Path tmp;

  @Test
  void killingOneIngestReplicaMidStream_storesEveryRecordExactlyOnce() throws Exception {
    Mosquitto.requireInstalled();
    PostgresServer.requireInstalled();
    try (Mosquitto broker = Mosquitto.start(tmp.resolve("mosquitto"));
        PostgresServer pg = PostgresServer.start()) {
      PostgresServer.Database db = pg.createDatabase("ingest_replicas");
      JvmProcess a = replica("a", db, broker);
      JvmProcess b = replica("b", db, broker);
      JvmProcess aAgain = null;
      try {
        awaitSubscribed(a);
        awaitSubscribed(b);
        CaptureLoad load = CaptureLoad.encode("replicas", 4, RECORDS, 20);
        CompletableFuture<Void> published =
            CompletableFuture.runAsync(
                () -> {
                  try {
                    load.publish(broker.url(), Duration.ofMinutes(3));
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });

        await()
            .atMost(Duration.ofMinutes(2))
            .until(() -> count(db, "SELECT count(*) FROM captures") >= RECORDS / 4);
        a.kill();
        long atKill = count(db, "SELECT count(*) FROM captures");
        assertThat(atKill).as("killed mid-stream").isLessThan(RECORDS);

        published.get();
        // The broker keeps what it had handed to the killed replica in that replica's session;
        // the restarted replica (same client id) takes it back.
        aAgain = replica("a", db, broker);
        awaitSubscribed(aAgain);
        await()
            .atMost(Duration.ofMinutes(3))
            .until(() -> count(db, "SELECT count(*) FROM captures") >= RECORDS);

        assertThat(count(db, "SELECT count(*) FROM captures")).isEqualTo(RECORDS);
        assertThat(count(db, "SELECT count(DISTINCT id) FROM captures")).isEqualTo(RECORDS);
        assertThat(ids(db)).isEqualTo(expectedIds());
        assertThat(count(db, "SELECT count(DISTINCT batch_id) FROM captures"))
            .isEqualTo(load.batches());
        b.checkAlive("replica b");
      } finally {
        a.close();
        b.close();
        if (aAgain != null) {
          aAgain.close();
        }
      }
    }
  }

  private JvmProcess replica(String name, PostgresServer.Database db, Mosquitto broker)
      throws Exception {
    Path log = tmp.resolve("replica-" + name + ".log");
    Files.writeString(log, "");
    // Its library log (kiln-cloud.log, in the working folder for a PostgreSQL store) stays in tmp.
    Path dir = Files.createDirectories(tmp.resolve("replica-" + name));
    return JvmLauncher.of("dev.kiln.cli.KilnMain")
        .classpath(JvmLauncher.testClasspath())
        .jvmOption("-Xmx256m")
        .directory(dir)
        .args(
            "cloud",
            "run",
            "--store",
            db.storeUri(),
            "--broker",
            broker.url(),
            "--client-id",
            "ingest-" + name,
            "--share-group",
            GROUP,
            "--broker-data",
            tmp.resolve("broker-" + name).toString(),
            // Each replica of the service also serves the API and takes part in the leader
            // election; its own state folder and a free port keep the two apart.
            "--state-dir",
            dir.resolve("state").toString(),
            "--api-port",
            "0")
        .log(log)
        .start();
  }

  private static void awaitSubscribed(JvmProcess p) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              p.checkAlive("kiln cloud run");
              return Files.readString(p.log()).contains("subscribed to capture");
            });
  }

  private static Set<String> expectedIds() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < RECORDS; i++) {
      ids.add(CaptureLoad.recordId("replicas", i));
    }
    return ids;
  }

  private static Set<String> ids(PostgresServer.Database db) throws Exception {
    Set<String> ids = new HashSet<>();
    try (Connection c = DriverManager.getConnection(db.jdbcUrl());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id FROM captures")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  private static long count(PostgresServer.Database db, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
