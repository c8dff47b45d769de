package dev.kiln.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.Comparison;
import dev.kiln.cloud.store.ComparisonQueries;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparison SQL over a real DuckDB store, with records placed where the window can miss. */
class ComparisonQueriesTest {
  private static final long FROM = 1_800_000_000_000L;
  private static final long TO = FROM + 60_000;
  @TempDir Path tmp;

  private static CaptureRecord record(
      String device, String version, int topClass, long ts, boolean shadow, String requestId) {
    float[] scores = new float[3];
    scores[topClass] = 0.9f;
    return new CaptureRecord(
        1,
        UUID.randomUUID().toString(),
        device,
        "m",
        version,
        shadow ? version + "-shadow" : version,
        ts,
        2.0,
        List.of(),
        List.of(CaptureTensor.ofFloats("y", new long[] {1, 3}, scores)),
        shadow,
        false,
        requestId);
  }

  private static void heartbeat(CaptureStore store, String device, long ts, String metrics)
      throws Exception {
    store.inTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO heartbeats (id, device_id, ts, payload) VALUES (?, ?,"
                      + " epoch_ms(?), ?)")) {
            ps.setString(1, UUID.randomUUID().toString());
            ps.setString(2, device);
            ps.setLong(3, ts);
            ps.setString(4, "{\"ts\":" + ts + ",\"metrics\":" + metrics + "}");
            return ps.executeUpdate();
          }
        });
  }

  @Test
  void abWindow_comparesClassMixes_andCountsErrorsFromHeartbeatDeltas() throws Exception {
    try (CaptureStore store = CaptureStore.open(tmp.resolve("c.duckdb"))) {
      List<CaptureRecord> records = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        records.add(record("d1", "1", i % 2, FROM + 1000 + i, false, "r" + i));
      }
      for (int i = 0; i < 40; i++) {
        records.add(record("d1", "2", i < 20 ? 0 : i < 30 ? 1 : 2, FROM + 2000 + i, false, null));
      }
      records.add(record("d9", "2", 2, FROM + 3000, false, null)); // not a target device
      records.add(record("d1", "2", 2, FROM - 5000, false, null)); // before the deployment
      store.insertCaptures(records, "b1");
      heartbeat(store, "d1", FROM - 1000, "{\"m.1.requests\":100,\"m.1.errors\":1}");
      heartbeat(
          store,
          "d1",
          FROM + 5000,
          "{\"m.1.requests\":160,\"m.1.errors\":1,\"m.2.requests\":50,\"m.2.errors\":10}");

      Comparison c =
          new ComparisonQueries(store)
              .compare(
                  "dep", "ab:50,50", "m", "2", List.of("1", "2"), List.of("d1"), FROM, TO, false);

      assertThat(c.versions())
          .extracting(Comparison.VersionStats::predictions)
          .containsExactly(60L, 40L);
      Comparison.VersionStats v1 = c.versions().get(0);
      Comparison.VersionStats v2 = c.versions().get(1);
      assertThat(v1.requests()).isEqualTo(60);
      assertThat(v1.errors()).isZero();
      assertThat(v2.requests()).isEqualTo(50);
      assertThat(v2.errorRate()).isEqualTo(0.2);
      assertThat(v2.p50Ms()).isEqualTo(2.0);
      assertThat(c.agreement().method()).isEqualTo("class-mix");
      assertThat(c.agreement().rate()).isEqualTo(0.75);
      assertThat(c.agreement().pairs()).isEqualTo(40);
    }
  }

  @Test
  void shadowWindow_pairsRecordsOfTheSameRequest() throws Exception {
    try (CaptureStore store = CaptureStore.open(tmp.resolve("s.duckdb"))) {
      List<CaptureRecord> records = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        records.add(record("d1", "1", 0, FROM + 100 + i, false, "r" + i));
        // The shadow disagrees on 3 of 10 requests.
        records.add(record("d1", "2", i < 3 ? 1 : 0, FROM + 100 + i, true, "r" + i));
      }
      records.add(record("d2", "2", 1, FROM + 500, true, "r1")); // same request id, other device
      store.insertCaptures(records, "b1");

      Comparison c =
          new ComparisonQueries(store)
              .compare(
                  "dep",
                  "shadow",
                  "m",
                  "2",
                  List.of("1", "2"),
                  List.of("d1", "d2"),
                  FROM,
                  TO,
                  true);

      assertThat(c.agreement().method()).isEqualTo("same-requests");
      assertThat(c.agreement().pairs()).isEqualTo(10);
      assertThat(c.agreement().rate()).isEqualTo(0.7);
      assertThat(c.versions())
          .extracting(Comparison.VersionStats::role)
          .containsExactly("serving", "shadow");
      assertThat(CompareCommand.render(c)).contains("70.0% of 10 requests").contains("2 (new)");
    }
  }
}
