package dev.kiln.cloud.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import dev.kiln.cloud.it.Fixtures;
import dev.kiln.cloud.registry.DeviceStatusTable;
import dev.kiln.link.protocol.DeviceStatus;
import dev.kiln.link.protocol.Heartbeat;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureStoreTest {
  @TempDir Path tmp;

  private static List<CaptureRecord> records(int from, int to) {
    List<CaptureRecord> l = new ArrayList<>();
    for (int i = from; i < to; i++) {
      CaptureRecord r = Fixtures.record(i);
      l.add(
          new CaptureRecord(
              r.schema(),
              r.id(),
              "dev-" + (i % 2),
              r.model(),
              r.version(),
              r.variant(),
              r.timestampMs(),
              r.latencyMs(),
              r.inputs(),
              r.outputs(),
              r.shadow(),
              r.truncated()));
    }
    return l;
  }

  @Test
  void insert_sameBatchTwice_storesEachRecordOnce() throws Exception {
    try (CaptureStore s = CaptureStore.open(tmp.resolve("c.duckdb"))) {
      assertThat(s.insertCaptures(records(0, 50), "b1")).isEqualTo(50);
      assertThat(s.insertCaptures(records(25, 75), "b2")).isEqualTo(25);
      List<CaptureRecord> dupInside = new ArrayList<>(records(80, 82));
      dupInside.addAll(records(80, 82));
      assertThat(s.insertCaptures(dupInside, "b3")).isEqualTo(2);
      assertThat(Fixtures.count(s, "SELECT count(*) FROM captures")).isEqualTo(77);
      assertThat(Fixtures.storedIds(s)).containsAll(Fixtures.ids(0, 75));
      assertThat(
              Fixtures.count(
                  s, "SELECT output_top FROM captures WHERE id = '" + Fixtures.id(6) + "'"))
          .isEqualTo(2);
    }
  }

  @Test
  void newStore_inANewFolder_isForItsOwnerOnly_fileWalAndFolder() throws Exception {
    Path db = tmp.resolve("cloud/data/c.duckdb");
    try (CaptureStore s = CaptureStore.open(db)) {
      s.insertCaptures(records(0, 20), "b1");
      assertThat(mode(db.getParent())).isEqualTo("rwx------");
      assertThat(mode(tmp.resolve("cloud"))).isEqualTo("rwx------");
      try (Stream<Path> files = Files.list(db.getParent())) {
        List<Path> all = files.toList();
        assertThat(all).contains(db);
        for (Path f : all) {
          assertThat(mode(f)).as("mode of %s while open", f).isIn("rw-------", "rwx------");
        }
      }
    }
    try (Stream<Path> files = Files.list(db.getParent())) {
      for (Path f : files.toList()) {
        assertThat(mode(f)).as("mode of %s after close", f).isIn("rw-------", "rwx------");
      }
    }
  }

  @Test
  void anExistingFolder_keepsItsMode_andTheDatabaseFileIs0600() throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path db = shared.resolve("c.duckdb");
    try (CaptureStore s = CaptureStore.open(db)) {
      s.insertCaptures(records(0, 5), "b1");
      Path wal = shared.resolve("c.duckdb.wal");
      if (Files.exists(wal)) {
        assertThat(mode(wal)).isEqualTo("rw-------");
      }
    }
    assertThat(mode(shared)).isEqualTo("rwxr-xr-x");
    assertThat(mode(db)).isEqualTo("rw-------");
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void store_survivesReopen() throws Exception {
    Path db = tmp.resolve("c.duckdb");
    try (CaptureStore s = CaptureStore.open(db)) {
      s.insertCaptures(records(0, 10), "b1");
    }
    try (CaptureStore s = CaptureStore.openReadOnly(db)) {
      assertThat(Fixtures.count(s, "SELECT count(*) FROM captures")).isEqualTo(10);
    }
  }

  @Test
  void openReadOnly_missingFile_namesTheFix() {
    assertThatThrownBy(() -> CaptureStore.openReadOnly(tmp.resolve("nope.duckdb")))
        .isInstanceOf(CloudException.class)
        .hasMessageContaining("kiln cloud run")
        .extracting(e -> ((CloudException) e).code())
        .isEqualTo(CloudErrorCode.DB_OPEN_FAILED);
  }

  @Test
  void registry_ignoresStaleWill_andKeepsNewestHeartbeat() throws Exception {
    try (CaptureStore s = CaptureStore.open(tmp.resolve("c.duckdb"))) {
      DeviceStatusTable reg = new DeviceStatusTable(s);
      reg.onStatus(DeviceStatus.birth("d1", 2000, "0.2"));
      // The will of the previous connection arrives late: it must not mark the device offline.
      reg.onStatus(DeviceStatus.will("d1", 1000, "0.1"));
      assertThat(state(s)).isEqualTo("ONLINE");
      reg.onStatus(DeviceStatus.will("d1", 2000, "0.2"));
      assertThat(state(s)).isEqualTo("OFFLINE");

      Heartbeat newer = heartbeat("h2", 5000);
      Heartbeat older = heartbeat("h1", 4000);
      reg.onHeartbeat(newer, ProtocolJson.write(newer));
      reg.onHeartbeat(older, ProtocolJson.write(older));
      reg.onHeartbeat(older, ProtocolJson.write(older));
      assertThat(Fixtures.count(s, "SELECT count(*) FROM heartbeats")).isEqualTo(2);
      assertThat(
              Fixtures.count(
                  s, "SELECT epoch_ms(last_heartbeat_at) FROM devices WHERE device_id = 'd1'"))
          .isEqualTo(5000);
      assertThat(state(s)).isEqualTo("OFFLINE");
    }
  }

  @Test
  void statsAndExport_summarizeByVersionVariantDevice() throws Exception {
    Path db = tmp.resolve("c.duckdb");
    try (CaptureStore s = CaptureStore.open(db)) {
      s.insertCaptures(records(0, 120), "b1");
      CaptureQueries q = new CaptureQueries(s);
      CaptureQueries.Stats st = q.stats("resnet");
      assertThat(st.volume().columns())
          .contains("version", "variant", "device_id", "records", "latency_p50_ms");
      long total =
          st.volume().rows().stream().mapToLong(r -> ((Number) r.get(3)).longValue()).sum();
      assertThat(total).isEqualTo(120);
      assertThat(st.outputs().rows()).isNotEmpty();
      assertThat(q.stats("other").volume().rows()).isEmpty();

      Path parquet = tmp.resolve("out.parquet");
      assertThat(q.export("resnet", null, CaptureQueries.Format.PARQUET, parquet)).isEqualTo(120);
      assertThat(Fixtures.count(s, "SELECT count(*) FROM '" + parquet + "'")).isEqualTo(120);
      Path csv = tmp.resolve("out.csv");
      assertThat(
              q.export(
                  "resnet",
                  java.time.Instant.parse("2100-01-01T00:00:00Z").toEpochMilli(),
                  CaptureQueries.Format.CSV,
                  csv))
          .isZero();
      assertThat(q.query("SELECT count(*) AS n FROM devices").get(0, "n")).isEqualTo(0L);
    }
  }

  private static Heartbeat heartbeat(String id, long ts) {
    return new Heartbeat(1, id, "d1", ts, 1, "0.2", List.of(), Map.of("x", 1.0), null);
  }

  private static String state(CaptureStore s) {
    return s.read(
        c -> {
          try (var st = c.createStatement();
              var rs = st.executeQuery("SELECT state FROM devices WHERE device_id = 'd1'")) {
            rs.next();
            return rs.getString(1);
          }
        });
  }

  @Test
  void aFileMigratedByTheLastKiln_keepsItsVersions_andIsNotMigratedAgain() throws Exception {
    Path file = tmp.resolve("migrated.duckdb");
    try (CaptureStore s = CaptureStore.open(file)) {
      s.insertCaptures(CaptureStoreContract.records(0, 1), "b");
    }
    // What the last Kiln recorded: its own table of capture versions, not the shared one.
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + file);
        java.sql.Statement st = c.createStatement()) {
      st.execute("DROP TABLE kiln_schema_versions");
      st.execute(
          "CREATE TABLE kiln_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)");
      st.execute("INSERT INTO kiln_migrations VALUES (1, current_timestamp)");
      // 0001.sql sets the old-readers' marker to 4: running it again would show.
      st.execute("UPDATE kiln_schema SET version = 77");
    }
    try (CaptureStore s = CaptureStore.open(file)) {
      assertThat(
              Fixtures.count(
                  s, "SELECT min(version) FROM kiln_schema_versions WHERE series = 'captures'"))
          .isEqualTo(1);
      assertThat(Fixtures.count(s, "SELECT version FROM kiln_schema")).isEqualTo(77);
      assertThat(Fixtures.count(s, "SELECT count(*) FROM captures")).isEqualTo(1);
    }
  }

  @Test
  void aVersion2File_isUpgradedInPlace_withTheDriftViolationsAndFeedbackTables() throws Exception {
    Path file = tmp.resolve("v2.duckdb");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + file);
        java.sql.Statement st = c.createStatement()) {
      st.execute("CREATE TABLE captures (id VARCHAR PRIMARY KEY, request_id VARCHAR)");
      st.execute("CREATE TABLE kiln_schema (version INTEGER)");
      st.execute("INSERT INTO kiln_schema VALUES (2)");
    }
    try (CaptureStore s = CaptureStore.open(file)) {
      assertThat(Fixtures.count(s, "SELECT version FROM kiln_schema")).isEqualTo(4);
      assertThat(Fixtures.count(s, "SELECT count(*) FROM drift_violations")).isZero();
      assertThat(Fixtures.count(s, "SELECT count(*) FROM feedback")).isZero();
      assertThat(Fixtures.count(s, "SELECT count(output_first) FROM captures")).isZero();
    }
  }
}
