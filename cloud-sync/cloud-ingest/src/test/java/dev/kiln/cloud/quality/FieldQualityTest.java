package dev.kiln.cloud.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.cloud.CloudException;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import dev.kiln.link.protocol.capture.FeedbackRecord;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Feedback, label imports and field quality over a real DuckDB file. */
class FieldQualityTest {
  @TempDir Path tmp;

  private static CaptureRecord capture(
      String version, String device, String requestId, boolean shadow, float... outputs) {
    return new CaptureRecord(
        ProtocolJson.SCHEMA_VERSION,
        UUID.randomUUID().toString(),
        device,
        "m",
        version,
        "main",
        System.currentTimeMillis(),
        1.0,
        List.of(CaptureTensor.ofFloats("x", new long[] {1, 2}, new float[] {1, 2})),
        List.of(CaptureTensor.ofFloats("y", new long[] {1, outputs.length}, outputs)),
        shadow,
        false,
        requestId);
  }

  /** A one-hot output predicting {@code cls} of three. */
  private static float[] predicts(int cls) {
    float[] v = new float[3];
    v[cls] = 0.9f;
    return v;
  }

  private static FeedbackRecord label(String device, String requestId, String label, long ts) {
    return new FeedbackRecord(FeedbackRecord.KIND, 1, null, null, requestId, ts, label, null, null)
        .fromDevice(device);
  }

  @Test
  void accuracyPrecisionRecall_perVersion_matchTheLabels_andUnmatchedLabelsAreCounted()
      throws Exception {
    try (CaptureStore store = CaptureStore.open(tmp.resolve("q.duckdb"))) {
      List<CaptureRecord> captures = new ArrayList<>();
      List<FeedbackRecord> labels = new ArrayList<>();
      // v1: predicts class 0 always; labels are 0,0,1,2 -> accuracy 0.5.
      int[] v1Labels = {0, 0, 1, 2};
      for (int i = 0; i < v1Labels.length; i++) {
        captures.add(capture("1", "d1", "r1-" + i, false, predicts(0)));
        labels.add(label("d1", "r1-" + i, String.valueOf(v1Labels[i]), 10));
      }
      // v2: predicts right three times in three; a shadow prediction is not counted.
      for (int i = 0; i < 3; i++) {
        captures.add(capture("2", "d2", "r2-" + i, false, predicts(i)));
        captures.add(capture("1", "d2", "r2-" + i, true, predicts(0)));
        labels.add(label("d2", "r2-" + i, String.valueOf(i), 10));
      }
      // A corrected label replaces the first: r1-0 relabelled 1 later -> v1 correct 1 of 4.
      labels.add(label("d1", "r1-0", "1", 20));
      labels.add(label("d1", "nobody-1", "1", 10));
      labels.add(label("d1", "nobody-2", "2", 10));
      store.insertCaptures(captures, "b");
      FeedbackTable table = new FeedbackTable(store);
      assertThat(table.insert(labels, FeedbackTable.SOURCE_DEVICE, "b")).isEqualTo(10);
      assertThat(table.insert(labels, FeedbackTable.SOURCE_DEVICE, "b2"))
          .as("a redelivered batch stores nothing")
          .isZero();

      FieldQuality.Report r = new FieldQuality(store).report("m", FieldQuality.By.VERSION, false);
      assertThat(r.unmatchedLabels()).isEqualTo(2);
      assertThat(r.groups()).extracting(FieldQuality.Group::key).containsExactly("1", "2");
      FieldQuality.Group v1 = r.groups().get(0);
      assertThat(v1.labelled()).isEqualTo(4);
      assertThat(v1.accuracy()).isCloseTo(0.25, within(1e-9));
      // v1 predicted 0 four times, right once (r1-1): precision 1/4; label 0 occurs once: recall 1.
      FieldQuality.ClassFigures zero =
          v1.classes().stream().filter(c -> c.label().equals("0")).findFirst().orElseThrow();
      assertThat(zero.predicted()).isEqualTo(4);
      assertThat(zero.labelled()).isEqualTo(1);
      assertThat(zero.precision()).isCloseTo(0.25, within(1e-9));
      assertThat(zero.recall()).isCloseTo(1.0, within(1e-9));
      FieldQuality.ClassFigures two =
          v1.classes().stream().filter(c -> c.label().equals("2")).findFirst().orElseThrow();
      assertThat(two.predicted()).isZero();
      assertThat(two.precision()).isNull();
      assertThat(two.recall()).isEqualTo(0.0);
      FieldQuality.Group v2 = r.groups().get(1);
      assertThat(v2.labelled()).isEqualTo(3);
      assertThat(v2.accuracy()).isEqualTo(1.0);

      FieldQuality.Report withShadow =
          new FieldQuality(store).report("m", FieldQuality.By.VERSION, true);
      assertThat(withShadow.groups().get(0).labelled())
          .as("v1's shadow predictions too")
          .isEqualTo(7);

      FieldQuality.Report byDevice =
          new FieldQuality(store).report("m", FieldQuality.By.DEVICE, false);
      assertThat(byDevice.groups()).extracting(FieldQuality.Group::key).containsExactly("d1", "d2");
    }
  }

  @Test
  void regression_maeAndRmse_againstTheFirstOutputValue_fromImportedValues() throws Exception {
    try (CaptureStore store = CaptureStore.open(tmp.resolve("r.duckdb"))) {
      store.insertCaptures(
          List.of(
              capture("1", "d", "a", false, 1.0f, 100f),
              capture("1", "d", "b", false, 2.0f, 100f),
              capture("1", "d", "c", false, 5.0f, 100f)),
          "b");
      LabelImport importer = new LabelImport(new FeedbackTable(store));
      String csv = "request_id,value\na,2\nb,2\r\nc,1\n\nzzz,3\n";
      assertThat(importer.run(new StringReader(csv), "v.csv"))
          .isEqualTo(new LabelImport.Result(4, 4));
      assertThat(importer.run(new StringReader(csv), "v.csv"))
          .as("importing again adds nothing")
          .isEqualTo(new LabelImport.Result(4, 0));
      FieldQuality.Group g =
          new FieldQuality(store).report("m", FieldQuality.By.VERSION, false).groups().get(0);
      // errors 1, 0, 4 -> MAE 5/3, RMSE sqrt(17/3)
      assertThat(g.valued()).isEqualTo(3);
      assertThat(g.mae()).isCloseTo(5.0 / 3, within(1e-9));
      assertThat(g.rmse()).isCloseTo(Math.sqrt(17.0 / 3), within(1e-9));
      assertThat(g.labelled()).isZero();
      assertThat(
              new FieldQuality(store).report("m", FieldQuality.By.VERSION, false).unmatchedValues())
          .isEqualTo(1);
    }
  }

  @Test
  void labelImport_refusesABadHeaderOrLine_namingTheLine() throws Exception {
    try (CaptureStore store = CaptureStore.open(tmp.resolve("b.duckdb"))) {
      LabelImport importer = new LabelImport(new FeedbackTable(store));
      assertThatThrownBy(() -> importer.run(new StringReader("id,label\na,1\n"), "l.csv"))
          .isInstanceOf(CloudException.class)
          .hasMessageContaining("line 1")
          .hasMessageContaining("request_id,label");
      assertThatThrownBy(
              () -> importer.run(new StringReader("request_id,value\na,1\nb,x\n"), "l.csv"))
          .hasMessageContaining("line 3")
          .hasMessageContaining("finite number");
      assertThatThrownBy(() -> importer.run(new StringReader("request_id,label\na/b,1\n"), "l.csv"))
          .hasMessageContaining("line 2");
      String quoted = "request_id,label\n\"q1\",\"cat, striped\"\n";
      assertThat(importer.run(new StringReader(quoted), "l.csv").rows()).isEqualTo(1);
    }
  }
}
