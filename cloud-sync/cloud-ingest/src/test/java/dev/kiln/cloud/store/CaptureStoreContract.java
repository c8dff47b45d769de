package dev.kiln.cloud.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.cloud.it.Fixtures;
import dev.kiln.cloud.monitor.CaptureBaselines;
import dev.kiln.cloud.monitor.CaptureWindow;
import dev.kiln.cloud.monitor.DriftCheck;
import dev.kiln.cloud.monitor.Monitor;
import dev.kiln.cloud.monitor.Scope;
import dev.kiln.cloud.monitor.Thresholds;
import dev.kiln.cloud.monitor.Traffic;
import dev.kiln.cloud.monitor.ViolationTable;
import dev.kiln.cloud.quality.FeedbackTable;
import dev.kiln.cloud.quality.FieldQuality;
import dev.kiln.cloud.quality.LabelImport;
import dev.kiln.cloud.registry.DeviceStatusTable;
import dev.kiln.link.protocol.DeviceStatus;
import dev.kiln.link.protocol.Heartbeat;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.io.StringReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every capture store must do, run against each implementation by a subclass: the ingestor's
 * de-duplicating insert, the read side of {@code kiln data}, the device status table, feedback
 * joined with captures, drift violations and exports.
 */
abstract class CaptureStoreContract {
  static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  static final long DAY = 86_400_000L;

  @TempDir Path tmp;

  /** A fresh, empty store location for one test. */
  abstract StoreLocation newLocation();

  abstract Dialect dialect();

  private static CaptureRecord capture(
      String id,
      String model,
      String version,
      String device,
      long ts,
      String requestId,
      float... outputs) {
    return new CaptureRecord(
        ProtocolJson.SCHEMA_VERSION,
        id,
        device,
        model,
        version,
        "main",
        ts,
        2.0,
        List.of(CaptureTensor.ofFloats("x", new long[] {1, 2}, new float[] {1, 2})),
        List.of(CaptureTensor.ofFloats("y", new long[] {1, outputs.length}, outputs)),
        false,
        false,
        requestId);
  }

  /** Records {@code from} to {@code to} with stable ids (Fixtures), on two devices. */
  static List<CaptureRecord> records(int from, int to) {
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
  void insert_redeliveredAndOverlappingBatches_storeEachRecordOnce() throws Exception {
    try (CaptureStore s = CaptureStore.open(newLocation())) {
      assertThat(s.dialect()).isEqualTo(dialect());
      assertThat(s.insertCaptures(records(0, 50), "b1")).isEqualTo(50);
      assertThat(s.insertCaptures(records(0, 50), "b1")).as("redelivered").isZero();
      assertThat(s.insertCaptures(records(25, 75), "b2")).isEqualTo(25);
      List<CaptureRecord> dupInside = new ArrayList<>(records(80, 82));
      dupInside.addAll(records(80, 82));
      assertThat(s.insertCaptures(dupInside, "b3")).isEqualTo(2);
      assertThat(Fixtures.count(s, "SELECT count(*) FROM captures")).isEqualTo(77);
      assertThat(Fixtures.count(s, "SELECT count(DISTINCT id) FROM captures")).isEqualTo(77);
      assertThat(Fixtures.storedIds(s)).containsAll(Fixtures.ids(0, 75));
      // Record 6 scores class 2 highest: the argmax is stored for SQL.
      assertThat(
              Fixtures.count(
                  s, "SELECT output_top FROM captures WHERE id = '" + Fixtures.id(6) + "'"))
          .isEqualTo(2);
    }
  }

  @Test
  void insert_storesNullsAndCustomAttributes_andAFailedGroupLeavesNothingBehind() throws Exception {
    try (CaptureStore s = CaptureStore.open(newLocation())) {
      CaptureRecord noOutputs =
          new CaptureRecord(
              ProtocolJson.SCHEMA_VERSION,
              "r-empty",
              "dev-0",
              "m",
              "1",
              "main",
              T0,
              1.5,
              List.of(),
              List.of(),
              false,
              true,
              "req-1",
              "trace=abc;tenant=7");
      assertThat(s.insertCaptures(List.of(noOutputs), "b1")).isEqualTo(1);
      assertThat(
              Fixtures.count(
                  s,
                  "SELECT count(*) FROM captures WHERE id = 'r-empty' AND output_top IS NULL"
                      + " AND output_max IS NULL AND output_first IS NULL AND truncated"
                      + " AND custom_attributes = 'trace=abc;tenant=7' AND request_id = 'req-1'"))
          .isEqualTo(1);

      // A group whose second batch breaks a constraint (no model) is rolled back whole; the
      // next group stores exactly its own rows, nothing left over from the failed one.
      CaptureRecord noModel =
          new CaptureRecord(
              ProtocolJson.SCHEMA_VERSION,
              "r-bad",
              "dev-0",
              null,
              "1",
              "main",
              T0,
              1.0,
              List.of(),
              List.of(),
              false,
              false,
              null,
              null);
      List<CaptureRow> good = records(0, 5).stream().map(CaptureRow::of).toList();
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  s.insertGroups(
                      List.of(good, List.of(CaptureRow.of(noModel))), List.of("g1", "g2")))
          .isInstanceOf(java.sql.SQLException.class);
      assertThat(Fixtures.count(s, "SELECT count(*) FROM captures")).isEqualTo(1);
      List<CaptureRow> next = records(10, 13).stream().map(CaptureRow::of).toList();
      assertThat(s.insertGroups(List.of(next), List.of("g3"))).containsExactly(3);
      assertThat(Fixtures.count(s, "SELECT count(*) FROM captures")).isEqualTo(4);
    }
  }

  @Test
  void reopening_appliesNoMigrationTwice_andKeepsTheData() throws Exception {
    StoreLocation where = newLocation();
    try (CaptureStore s = CaptureStore.open(where)) {
      s.insertCaptures(records(0, 10), "b1");
    }
    try (CaptureStore s = CaptureStore.open(where)) {
      assertThat(Fixtures.count(s, "SELECT count(*) FROM captures")).isEqualTo(10);
      long versions =
          Fixtures.count(s, "SELECT count(*) FROM kiln_schema_versions WHERE series = 'captures'");
      assertThat(versions).isPositive();
      assertThat(
              Fixtures.count(
                  s,
                  "SELECT count(DISTINCT version) FROM kiln_schema_versions"
                      + " WHERE series = 'captures'"))
          .isEqualTo(versions);
    }
    try (CaptureStore ro = CaptureStore.openReadOnly(where)) {
      assertThat(Fixtures.count(ro, "SELECT count(*) FROM captures")).isEqualTo(10);
    }
  }

  @Test
  void statsAndQueries_summarizeVolumeLatencyAndOutputs() throws Exception {
    try (CaptureStore s = CaptureStore.open(newLocation())) {
      List<CaptureRecord> batch = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        batch.add(
            capture(
                "s" + i,
                "m",
                "1",
                "d1",
                T0 + i,
                null,
                i < 7 ? new float[] {1, 0} : new float[] {0, 1}));
      }
      batch.add(capture("other", "n", "1", "d1", T0, null, 1, 0));
      s.insertCaptures(batch, "b");
      CaptureQueries q = new CaptureQueries(s);
      CaptureQueries.Stats stats = q.stats("m");
      assertThat(stats.volume().rows()).hasSize(1);
      assertThat(((Number) stats.volume().get(0, "records")).longValue()).isEqualTo(10);
      assertThat(((Number) stats.volume().get(0, "latency_p50_ms")).doubleValue())
          .isCloseTo(2.0, within(1e-9));
      assertThat(stats.outputs().rows()).hasSize(2);
      assertThat(((Number) stats.outputs().get(0, "top_class")).intValue()).isZero();
      assertThat(((Number) stats.outputs().get(0, "pct")).doubleValue())
          .isCloseTo(70.0, within(1e-9));

      QueryResult r =
          q.query("SELECT model, count(*) AS n FROM captures GROUP BY model ORDER BY model");
      assertThat(r.columns()).containsExactly("model", "n");
      assertThat(r.rows()).hasSize(2);
      assertThat(r.get(0, "model")).isEqualTo("m");

      List<String> seen = new ArrayList<>();
      CapturedInputs used = CapturedInputs.newest(s, "m", null, 3, seen::add);
      assertThat(used.used()).isEqualTo(3);
      assertThat(used.usable()).isEqualTo(10);
      assertThat(seen).hasSize(3).allSatisfy(json -> assertThat(json).contains("\"x\""));
      assertThat(CapturedInputs.models(s)).containsExactly("m", "n");
    }
  }

  @Test
  void deviceStatusTable_keepsTheNewestStatusAndHeartbeat() throws Exception {
    try (CaptureStore s = CaptureStore.open(newLocation())) {
      DeviceStatusTable table = new DeviceStatusTable(s);
      long now = System.currentTimeMillis();
      table.onStatus(DeviceStatus.birth("dev-x", now, "1.0"));
      table.onStatus(DeviceStatus.will("dev-x", now - 60_000, "1.0"));
      assertThat(text(s, "SELECT state FROM devices WHERE device_id = 'dev-x'"))
          .isEqualTo("ONLINE");
      Heartbeat hb = ProtocolJson.read(heartbeatJson("dev-x", now), Heartbeat.class);
      table.onHeartbeat(hb, heartbeatJson("dev-x", now));
      table.onHeartbeat(hb, heartbeatJson("dev-x", now));
      assertThat(Fixtures.count(s, "SELECT count(*) FROM heartbeats")).isEqualTo(1);
      assertThat(
              Fixtures.count(s, "SELECT count(*) FROM devices WHERE last_heartbeat_at IS NOT NULL"))
          .isEqualTo(1);
    }
  }

  private static byte[] heartbeatJson(String device, long ts) {
    return ("{\"id\":\"hb-1\",\"deviceId\":\""
            + device
            + "\",\"ts\":"
            + ts
            + ",\"uptimeS\":5,\"agentVersion\":\"1.0\"}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void importedLabels_joinCaptures_byRequestId_intoFieldAccuracy() throws Exception {
    try (CaptureStore s = CaptureStore.open(newLocation())) {
      // Version 1 predicts class 0 four times; labels 0,1,0,0 after a correction: 3 of 4 right.
      List<CaptureRecord> batch = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        batch.add(capture("c" + i, "m", "1", "d1", T0 + i, "r" + i, 0.9f, 0.1f));
      }
      s.insertCaptures(batch, "b");
      FeedbackTable feedback = new FeedbackTable(s);
      String csv = "request_id,label\nr0,1\nr1,1\nr2,0\nr3,0\nnobody,0\n";
      LabelImport.Result first = new LabelImport(feedback).run(new StringReader(csv), "a.csv");
      assertThat(first.inserted()).isEqualTo(5);
      assertThat(new LabelImport(feedback).run(new StringReader(csv), "a.csv").inserted())
          .as("the same file again adds nothing")
          .isZero();
      // A later correction of r0 to 0 wins over the first label.
      new LabelImport(feedback).run(new StringReader("request_id,label\nr0,0\n"), "fix.csv");

      FieldQuality.Report r = new FieldQuality(s).report("m", FieldQuality.By.VERSION, false);
      assertThat(r.groups()).hasSize(1);
      assertThat(r.groups().get(0).labelled()).isEqualTo(4);
      assertThat(r.groups().get(0).accuracy()).isCloseTo(0.75, within(1e-9));
      assertThat(r.unmatchedLabels()).isEqualTo(1);
    }
  }

  @Test
  void driftViolations_areStoredAndListed() throws Exception {
    try (CaptureStore s = CaptureStore.open(newLocation())) {
      Traffic.insertMinute(s, 1, 2_000, T0, 0);
      Traffic.insertMinute(s, 3, 1_000, T0 + 60_000, 1.5);
      Baseline b =
          CaptureBaselines.build(
              s, new CaptureWindow(Traffic.MODEL, null, T0, T0 + 60_000), T0 + 120_000);
      assertThat(b.records()).isEqualTo(2_000);
      DriftCheck check = new DriftCheck(b, Thresholds.DEFAULTS, EnumSet.of(Scope.FLEET));
      Monitor.Outcome o = new Monitor(s, null).check(check, null, T0 + 60_000, T0 + 120_000, T0);
      assertThat(o.report().drifted()).isTrue();
      assertThat(o.stored()).isEqualTo(o.report().violations().size());
      QueryResult listed = new ViolationTable(s).recent(Traffic.MODEL, null, 100);
      assertThat(listed.rows()).hasSize(o.stored());
      assertThat(listed.rows())
          .extracting(row -> row.get(listed.columns().indexOf("feature")))
          .contains("x[2]");
      assertThat(new ViolationTable(s).recent(Traffic.MODEL, T0 + DAY * 400, 100).rows()).isEmpty();
    }
  }

  @Test
  void export_writesOneFile_andHivePartitionsByModelAndDate() throws Exception {
    try (CaptureStore s = CaptureStore.open(newLocation())) {
      List<CaptureRecord> batch = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        batch.add(capture("a" + i, "cnn", "1", "d1", T0 + (i % 3) * DAY + i, null, 1, 0));
      }
      batch.add(capture("b0", "mlp", "2", "d2", T0, null, 0, 1));
      s.insertCaptures(batch, "b");
      CaptureQueries q = new CaptureQueries(s);

      Path file = tmp.resolve("cnn.parquet");
      assertThat(q.export("cnn", T0 + DAY, CaptureQueries.Format.PARQUET, file)).isEqualTo(4);
      assertThat(count("SELECT count(*) FROM read_parquet('" + file + "')")).isEqualTo(4);
      Path csv = tmp.resolve("cnn.csv");
      assertThat(q.export("cnn", null, CaptureQueries.Format.CSV, csv)).isEqualTo(6);

      Path dir = tmp.resolve("lake");
      assertThat(q.exportPartitioned(null, null, dir)).isEqualTo(7);
      assertThat(dir.resolve("model=cnn/date=2026-01-01")).isDirectory();
      assertThat(dir.resolve("model=cnn/date=2026-01-03")).isDirectory();
      assertThat(dir.resolve("model=mlp/date=2026-01-01")).isDirectory();
      Map<String, Long> perPartition = new TreeMap<>();
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT model || '/' || date AS p, count(*), count(DISTINCT id),"
                      + " min(output_top) FROM read_parquet('"
                      + dir
                      + "/**/*.parquet', hive_partitioning = true) GROUP BY p")) {
        while (rs.next()) {
          assertThat(rs.getLong(3)).isEqualTo(rs.getLong(2));
          perPartition.put(rs.getString(1), rs.getLong(2));
        }
      }
      assertThat(perPartition)
          .containsExactly(
              Map.entry("cnn/2026-01-01", 2L),
              Map.entry("cnn/2026-01-02", 2L),
              Map.entry("cnn/2026-01-03", 2L),
              Map.entry("mlp/2026-01-01", 1L));
    }
  }

  private static long count(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String text(CaptureStore s, String sql) {
    return s.read(
        c -> {
          try (Statement st = c.createStatement();
              ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
          }
        });
  }
}
