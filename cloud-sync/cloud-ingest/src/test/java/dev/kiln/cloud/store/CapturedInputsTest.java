package dev.kiln.cloud.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CapturedInputsTest {
  @TempDir Path tmp;

  private static CaptureRecord record(
      int i, String model, String version, boolean shadow, boolean truncated, boolean inputs) {
    CaptureTensor x = CaptureTensor.ofFloats("x", new long[] {1, 1}, new float[] {i});
    return new CaptureRecord(
        1,
        "id-" + model + "-" + i,
        "dev-1",
        model,
        version,
        "fp32",
        1_767_225_600_000L + i * 1000L,
        1.0,
        inputs ? List.of(truncated ? x.withoutData() : x) : List.of(),
        List.of(),
        shadow,
        truncated);
  }

  @Test
  void newest_usesOnlyServingRecordsWithData_oldestFirst_andCountsTheRest() throws Exception {
    List<CaptureRecord> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      records.add(record(i, "cnn", i < 5 ? "1" : "2", false, false, true));
    }
    records.add(record(20, "cnn", "2", true, false, true));
    records.add(record(21, "cnn", "2", false, true, true));
    records.add(record(22, "cnn", "2", false, false, false));
    records.add(record(23, "other", "2", false, false, true));
    try (CaptureStore store = CaptureStore.open(tmp.resolve("c.duckdb"))) {
      store.insertCaptures(records, "b1");

      List<String> newestInputs = new ArrayList<>();
      CapturedInputs newest = CapturedInputs.newest(store, "cnn", null, 3, newestInputs::add);
      List<String> v1Inputs = new ArrayList<>();
      CapturedInputs v1 = CapturedInputs.newest(store, "cnn", "1", 100, v1Inputs::add);

      assertThat(newest.used()).isEqualTo(3);
      assertThat(newestInputs.get(0)).contains("\"name\":\"x\"").contains("\"data\"");
      assertThat(newestInputs)
          .isEqualTo(
              List.of(
                  CaptureRow.of(records.get(7)).inputsJson(),
                  CaptureRow.of(records.get(8)).inputsJson(),
                  CaptureRow.of(records.get(9)).inputsJson()));
      assertThat(newest.usable()).isEqualTo(10);
      assertThat(List.of(newest.truncated(), newest.shadow(), newest.withoutInputs()))
          .containsExactly(1L, 1L, 1L);
      assertThat(v1Inputs).hasSize(5);
      assertThat(v1.used()).isEqualTo(5);
      assertThat(v1.usable()).isEqualTo(5);
      assertThat(v1.truncated()).isZero();
      assertThat(CapturedInputs.models(store)).containsExactly("cnn", "other");
    }
  }
}
