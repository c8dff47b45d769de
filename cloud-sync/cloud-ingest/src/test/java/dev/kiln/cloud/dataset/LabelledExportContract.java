package dev.kiln.cloud.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.cloud.quality.FeedbackTable;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import dev.kiln.link.protocol.capture.FeedbackRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln data export --with-labels}, run against each store by a subclass. */
abstract class LabelledExportContract {
  @TempDir Path tmp;

  /** A fresh, empty store for one test. */
  abstract CaptureStore newStore();

  private static CaptureRecord capture(int i, boolean shadow, boolean withInputs) {
    return new CaptureRecord(
        ProtocolJson.SCHEMA_VERSION,
        UUID.randomUUID().toString(),
        "d" + (i % 2),
        "m",
        "1",
        shadow ? "2" : "1",
        1_000_000L + i,
        1.0,
        withInputs
            ? List.of(CaptureTensor.ofFloats("x", new long[] {1, 2}, new float[] {i, -i}))
            : List.of(),
        List.of(CaptureTensor.ofFloats("y", new long[] {1, 2}, new float[] {0.1f, 0.9f})),
        shadow,
        false,
        "r-" + i);
  }

  private static FeedbackRecord label(String requestId, String label, long ts) {
    return new FeedbackRecord(FeedbackRecord.KIND, 1, null, null, requestId, ts, label, null, null)
        .fromDevice("d0");
  }

  @Test
  void export_joinsInputsWithTheirLatestLabel_splitsByRequestId_andCountsWhatIsLeftOut()
      throws Exception {
    Path out = tmp.resolve("set");
    LabelledExport.Summary s;
    try (CaptureStore store = newStore()) {
      List<CaptureRecord> captures = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        captures.add(capture(i, false, true));
      }
      captures.add(capture(3, true, true)); // a shadow of r-3: not a second training row
      captures.add(capture(70, false, false)); // labelled, but its inputs were not captured
      store.insertCaptures(captures, "b");
      List<FeedbackRecord> labels = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        labels.add(label("r-" + i, String.valueOf(i % 2), 10));
      }
      labels.add(label("r-0", "7", 20)); // corrected later: the latest label counts
      labels.add(label("r-70", "1", 10));
      new FeedbackTable(store).insert(labels, FeedbackTable.SOURCE_DEVICE, "b");

      s = new LabelledExport(store).export("m", null, null, out);
    }

    assertThat(s.train() + s.validation()).isEqualTo(50);
    assertThat(s.unlabelled()).isEqualTo(10);
    assertThat(s.withoutInputs()).isEqualTo(1);
    assertThat(s.inputs()).containsExactly("x");
    long expectedTrain = 0;
    for (int i = 0; i < 50; i++) {
      expectedTrain += DatasetSplit.of("r-" + i).equals(DatasetSplit.TRAIN) ? 1 : 0;
    }
    assertThat(s.train()).isEqualTo(expectedTrain).isBetween(30L, 48L);

    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT request_id, split, label, input_x FROM read_parquet('"
                    + out.resolve("dataset.parquet")
                    + "') ORDER BY ts")) {
      int n = 0;
      while (rs.next()) {
        int i = Integer.parseInt(rs.getString(1).substring(2));
        assertThat(rs.getString(2)).isEqualTo(DatasetSplit.of(rs.getString(1)));
        assertThat(rs.getString(3)).isEqualTo(i == 0 ? "7" : String.valueOf(i % 2));
        Object[] x = (Object[]) rs.getArray(4).getArray();
        assertThat(((Number) x[0]).floatValue()).isEqualTo((float) i);
        assertThat(((Number) x[1]).floatValue()).isEqualTo((float) -i);
        n++;
      }
      assertThat(n).isEqualTo(50);
    }

    Map<String, byte[]> train = npz(out.resolve("train.npz"));
    assertThat(train).containsOnlyKeys("x.npy", "label.npy");
    assertThat(header(train.get("x.npy")))
        .contains("'descr': '<f4'")
        .contains("'shape': (" + s.train() + ", 1, 2)");
    assertThat(header(train.get("label.npy"))).contains("'shape': (" + s.train() + ",)");
    assertThat(npz(out.resolve("train-inputs.npz"))).containsOnlyKeys("x.npy");
    // The first training row's values, right after the 64-byte-aligned header.
    int first = -1;
    for (int i = 0; i < 50 && first < 0; i++) {
      first = DatasetSplit.of("r-" + i).equals(DatasetSplit.TRAIN) ? i : -1;
    }
    byte[] x = train.get("x.npy");
    ByteBuffer data = ByteBuffer.wrap(x, dataOffset(x), 8).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(data.getFloat()).isEqualTo((float) first);
    assertThat(data.getFloat()).isEqualTo((float) -first);
  }

  @Test
  void split_isStableAndNearTheDocumentedRatio() {
    int train = 0;
    for (int i = 0; i < 10_000; i++) {
      train += DatasetSplit.of("req-" + i).equals(DatasetSplit.TRAIN) ? 1 : 0;
    }
    assertThat(train).isBetween(7_800, 8_200);
    assertThat(DatasetSplit.of("req-42")).isEqualTo(DatasetSplit.of("req-42"));
  }

  private static Map<String, byte[]> npz(Path file) throws Exception {
    Map<String, byte[]> out = new HashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      var entries = zip.entries();
      while (entries.hasMoreElements()) {
        var e = entries.nextElement();
        out.put(e.getName(), zip.getInputStream(e).readAllBytes());
      }
    }
    return out;
  }

  private static int dataOffset(byte[] npy) {
    return 10 + ((npy[8] & 0xFF) | ((npy[9] & 0xFF) << 8));
  }

  private static String header(byte[] npy) {
    assertThat(dataOffset(npy) % 64).isZero();
    return new String(npy, 10, dataOffset(npy) - 10, StandardCharsets.US_ASCII);
  }
}
