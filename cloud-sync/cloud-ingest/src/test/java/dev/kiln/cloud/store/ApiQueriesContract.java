package dev.kiln.cloud.store;

import static dev.kiln.cloud.store.CapturedVersions.heartbeat;
import static dev.kiln.cloud.store.CapturedVersions.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.link.protocol.capture.CaptureRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The store's queries behind the cloud service's API, run against each store by a subclass: two
 * versions compared on every device that captured them, series in bounded buckets with errors from
 * heartbeat deltas, and capture pages that return each record once.
 */
abstract class ApiQueriesContract {
  private static final long T0 = 1_800_000_000_000L;

  /** A fresh, empty store for one test. */
  abstract CaptureStore newStore();

  @Test
  void compareVersions_findsTheShadow_andOnlyDevicesThatCapturedEither() throws Exception {
    try (CaptureStore store = newStore()) {
      List<CaptureRecord> records = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        records.add(record("d1", "1", 0, T0 + i, 2.0, false, "r" + i));
        records.add(record("d1", "2", i < 2 ? 1 : 0, T0 + i, 3.0, true, "r" + i));
      }
      records.add(record("d7", "3", 0, T0 + 5, 1.0, false, "other"));
      store.insertCaptures(records, "b");
      Comparison c = new ComparisonQueries(store).compareVersions("m", "1", "2", T0, T0 + 60_000);
      assertThat(c.devices()).containsExactly("d1");
      assertThat(c.agreement().method()).isEqualTo("same-requests");
      assertThat(c.agreement().rate()).isEqualTo(0.8);
      assertThat(c.strategy()).isEqualTo("shadow");

      Comparison ab = new ComparisonQueries(store).compareVersions("m", "1", "3", T0, T0 + 60_000);
      assertThat(ab.devices()).containsExactly("d1", "d7");
      assertThat(ab.agreement().method()).isEqualTo("class-mix");
    }
  }

  @Test
  void series_bucketsLatency_countsErrorDeltas_andNeverExceeds500Points() throws Exception {
    try (CaptureStore store = newStore()) {
      List<CaptureRecord> records = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        records.add(record("d1", "2", 0, T0 + i * 1000L, 10 + i, false, null));
      }
      store.insertCaptures(records, "b");
      heartbeat(store, "d1", T0, "{\"m.2.requests\":0,\"m.2.errors\":4}");
      heartbeat(store, "d1", T0 + 12_000, "{\"m.2.requests\":12,\"m.2.errors\":7}");

      long step = VersionSeries.step(T0, T0 + 20_000, 10_000);
      assertThat(step).isEqualTo(10_000);
      List<VersionSeries.Line> lines =
          new VersionSeries(store).series("m", null, T0, T0 + 20_000, step);
      assertThat(lines).hasSize(1);
      List<VersionSeries.Point> points = lines.get(0).points();
      assertThat(points).extracting(VersionSeries.Point::requests).containsExactly(10L, 10L);
      assertThat(points.get(0).p50Ms()).isEqualTo(14.5);
      assertThat(points.get(1).errors()).isEqualTo(3);
      assertThat(points.get(0).errors()).isNull();

      long day = 86_400_000L;
      assertThat(day / VersionSeries.step(T0, T0 + day, 1000)).isLessThanOrEqualTo(500);
    }
  }

  @Test
  void capturePages_returnEveryRecordOnce_newestFirst_withFilters() throws Exception {
    try (CaptureStore store = newStore()) {
      List<CaptureRecord> records = new ArrayList<>();
      for (int i = 0; i < 57; i++) {
        // Three records share each timestamp, so paging must break ties by id.
        records.add(record(i % 2 == 0 ? "d1" : "d2", "1", 0, T0 + i / 3, 1.0, false, "r" + i));
      }
      store.insertCaptures(records, "b");
      CapturePage pages = new CapturePage(store);
      Set<String> seen = new HashSet<>();
      List<java.time.Instant> times = new ArrayList<>();
      String cursor = null;
      do {
        CapturePage.Page p = pages.page(new CapturePage.Filter("m", null, null, null), 10, cursor);
        for (CapturePage.Row r : p.items()) {
          assertThat(seen.add(r.id())).as("seen once: " + r.id()).isTrue();
          times.add(java.time.Instant.parse(r.time()));
        }
        cursor = p.nextCursor();
      } while (cursor != null);
      assertThat(seen).hasSize(57);
      assertThat(times).isSortedAccordingTo(java.util.Comparator.reverseOrder());
      assertThat(pages.page(new CapturePage.Filter("m", null, "d2", null), 500, null).items())
          .hasSize(28)
          .allMatch(r -> r.device().equals("d2") && r.outcome().equals("ok"));
      assertThat(pages.modelVersions()).hasSize(1);
    }
  }
}
