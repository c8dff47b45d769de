package dev.kiln.cloud.store;

import static dev.kiln.cloud.store.CapturedVersions.heartbeat;
import static dev.kiln.cloud.store.CapturedVersions.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.link.protocol.capture.CaptureRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The comparison SQL of {@code kiln fleet compare}, run against each store by a subclass, with
 * records placed where the window can miss.
 */
abstract class ComparisonQueriesContract {
  private static final long FROM = 1_800_000_000_000L;
  private static final long TO = FROM + 60_000;
  private static final double LATENCY = 2.0;

  /** A fresh, empty store for one test. */
  abstract CaptureStore newStore();

  @Test
  void abWindow_comparesClassMixes_andCountsErrorsFromHeartbeatDeltas() throws Exception {
    try (CaptureStore store = newStore()) {
      List<CaptureRecord> records = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        records.add(record("d1", "1", i % 2, FROM + 1000 + i, LATENCY, false, "r" + i));
      }
      for (int i = 0; i < 40; i++) {
        records.add(
            record("d1", "2", i < 20 ? 0 : i < 30 ? 1 : 2, FROM + 2000 + i, LATENCY, false, null));
      }
      records.add(record("d9", "2", 2, FROM + 3000, LATENCY, false, null)); // not a target device
      records.add(record("d1", "2", 2, FROM - 5000, LATENCY, false, null)); // before the deployment
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
      assertThat(v2.p95Ms()).isEqualTo(2.0);
      assertThat(v2.topClass()).as("20 of 40 predict class 0").isZero();
      assertThat(c.agreement().method()).isEqualTo("class-mix");
      assertThat(c.agreement().rate()).isEqualTo(0.75);
      assertThat(c.agreement().pairs()).isEqualTo(40);
    }
  }

  @Test
  void shadowWindow_pairsRecordsOfTheSameRequest() throws Exception {
    try (CaptureStore store = newStore()) {
      List<CaptureRecord> records = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        records.add(record("d1", "1", 0, FROM + 100 + i, LATENCY, false, "r" + i));
        // The shadow disagrees on 3 of 10 requests.
        records.add(record("d1", "2", i < 3 ? 1 : 0, FROM + 100 + i, LATENCY, true, "r" + i));
      }
      records.add(
          record("d2", "2", 1, FROM + 500, LATENCY, true, "r1")); // same request id, other device
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
    }
  }
}
