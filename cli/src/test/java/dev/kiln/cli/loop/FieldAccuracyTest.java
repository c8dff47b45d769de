package dev.kiln.cli.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.cloud.quality.FeedbackTable;
import dev.kiln.cloud.quality.LabelImport;
import dev.kiln.cloud.store.CaptureQueries;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.StoreLocation;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import dev.kiln.testkit.PostgresServer;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop's field accuracy SQL on both stores: served and shadow predictions of one phase against
 * each request's latest label, other phases' requests left out.
 */
class FieldAccuracyTest {
  @TempDir Path tmp;

  @Test
  void onDuckDb_eachVersionAndRole_isJudgedOnItsPhasesLabelledRequests() throws Exception {
    try (CaptureStore store = CaptureStore.open(tmp.resolve("loop.duckdb"))) {
      check(store);
    }
  }

  @Test
  void onPostgres_eachVersionAndRole_isJudgedOnItsPhasesLabelledRequests() throws Exception {
    try (CaptureStore store =
        CaptureStore.open(
            StoreLocation.parse(PostgresServer.shared().createDatabase("loop").storeUri()))) {
      check(store);
    }
  }

  private static void check(CaptureStore store) throws Exception {
    List<CaptureRecord> records = new ArrayList<>();
    StringBuilder labels = new StringBuilder("request_id,label\n");
    for (int i = 0; i < 10; i++) {
      String req = "p2-" + i;
      // Version 1 serves and predicts class 0 everywhere; the shadow version 2 predicts class 1
      // on the first 8 requests. Every label is 1 (after a correction of the first from 0).
      records.add(record("1", false, 0, req, i));
      records.add(record("2", true, i < 8 ? 1 : 0, req, i));
      labels.append(req).append(",1\n");
    }
    records.add(record("1", false, 1, "p1-0", 99)); // another phase
    store.insertCaptures(records, "b");
    FeedbackTable feedback = new FeedbackTable(store);
    new LabelImport(feedback).run(new StringReader("request_id,label\np2-0,0\n"), "first.csv");
    new LabelImport(feedback).run(new StringReader(labels.toString()), "fixed.csv");
    new LabelImport(feedback).run(new StringReader("request_id,label\np1-0,1\n"), "other.csv");

    List<FieldAccuracy.Figure> figures = FieldAccuracy.of(new CaptureQueries(store), "m", "p2-");

    assertThat(figures)
        .extracting(FieldAccuracy.Figure::version, FieldAccuracy.Figure::shadow)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("1", false),
            org.assertj.core.groups.Tuple.tuple("2", true));
    assertThat(FieldAccuracy.find(figures, "1", false).labelled()).isEqualTo(10);
    assertThat(FieldAccuracy.find(figures, "1", false).accuracy()).isCloseTo(0.0, within(1e-9));
    assertThat(FieldAccuracy.find(figures, "2", true).accuracy()).isCloseTo(0.8, within(1e-9));
  }

  private static CaptureRecord record(
      String version, boolean shadow, int top, String requestId, long i) {
    float[] scores = new float[2];
    scores[top] = 0.9f;
    return new CaptureRecord(
        1,
        UUID.randomUUID().toString(),
        "d1",
        "m",
        version,
        shadow ? version + "-shadow" : version,
        1_800_000_000_000L + i * 1000,
        1.0,
        List.of(),
        List.of(CaptureTensor.ofFloats("y", new long[] {1, 2}, scores)),
        shadow,
        false,
        requestId);
  }
}
