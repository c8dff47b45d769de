package dev.kiln.cloud.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.cloud.it.Fixtures;
import dev.kiln.cloud.store.CaptureRow;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.protocol.capture.CaptureRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ingestor's writer over a real DuckDB store. */
class IngestWriterTest {
  @TempDir Path tmp;

  private static List<CaptureRow> rows(int from, int to) {
    List<CaptureRow> l = new ArrayList<>();
    for (int i = from; i < to; i++) {
      CaptureRecord r = Fixtures.record(i);
      l.add(
          CaptureRow.of(
              new CaptureRecord(
                  r.schema(),
                  r.id(),
                  "dev-0",
                  r.model(),
                  r.version(),
                  r.variant(),
                  r.timestampMs(),
                  r.latencyMs(),
                  r.inputs(),
                  r.outputs(),
                  false,
                  false)));
    }
    return l;
  }

  @Test
  void writes_completeInArrivalOrder_afterTheirCommit_andDuplicatesCountAsOld() throws Exception {
    try (CaptureStore store = CaptureStore.open(tmp.resolve("w.duckdb"));
        IngestWriter writer = new IngestWriter(store)) {
      List<String> order = Collections.synchronizedList(new ArrayList<>());
      List<Integer> inserted = Collections.synchronizedList(new ArrayList<>());
      List<CompletableFuture<Void>> all = new ArrayList<>();
      all.add(writer.other(() -> order.add("status")));
      for (int b = 0; b < 20; b++) {
        int from = b * 10;
        String name = "batch-" + b;
        all.add(
            writer.capture(
                new IngestWriter.CaptureBatch(
                    rows(from, from + 10),
                    name,
                    n -> {
                      order.add(name);
                      inserted.add(n);
                    })));
      }
      // Batch 0 again, as a broker redelivers it: nothing new.
      all.add(
          writer.capture(
              new IngestWriter.CaptureBatch(rows(0, 10), "again", n -> inserted.add(n))));
      all.add(writer.other(() -> order.add("heartbeat")));
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

      assertThat(order)
          .startsWith("status", "batch-0", "batch-1")
          .endsWith("batch-19", "heartbeat");
      assertThat(inserted.subList(0, 20)).allMatch(n -> n == 10);
      assertThat(inserted.get(20)).isZero();
      assertThat(Fixtures.count(store, "SELECT count(*) FROM captures")).isEqualTo(200);
    }
  }

  @Test
  void aFailedCommit_failsItsMessages_soNoneIsAcknowledged() throws Exception {
    CaptureStore store = CaptureStore.open(tmp.resolve("f.duckdb"));
    try (IngestWriter writer = new IngestWriter(store)) {
      store.close();
      CompletableFuture<Void> f =
          writer.capture(new IngestWriter.CaptureBatch(rows(0, 5), "b", n -> {}));
      assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    }
  }
}
