package dev.kiln.agent.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {

  /** Doubles every value; records each call's dim 0 so the test can see batches form. */
  private static final class Doubler implements ModelRunner {
    final List<Long> batchRows = Collections.synchronizedList(new ArrayList<>());
    final List<String> callerThreads = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch firstCall = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
      Tensor in = inputs.get("x");
      batchRows.add(in.rows());
      callerThreads.add(Thread.currentThread().getName());
      firstCall.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      float[] out = in.floats().clone();
      for (int i = 0; i < out.length; i++) {
        out[i] *= 2;
      }
      return Map.of("y", Tensor.ofFloats(in.shape(), out));
    }

    @Override
    public void close() {}
  }

  private static Map<String, Tensor> row(float v) {
    return Map.of("x", Tensor.ofFloats(new long[] {1, 2}, new float[] {v, v + 0.5f}));
  }

  @Test
  void concurrentRequests_areBatched_andEachGetsItsOwnRows() throws Exception {
    Doubler runner = new Doubler();
    DynamicBatcher batcher = new DynamicBatcher("t", runner, 8, 1);
    ExecutorService pool = Executors.newFixedThreadPool(9);
    try {
      // The first request occupies the engine; the next eight queue up and form one batch.
      Future<Map<String, Tensor>> first = pool.submit(() -> batcher.submit(row(0)));
      runner.firstCall.await();
      List<Future<Map<String, Tensor>>> rest = new ArrayList<>();
      for (int i = 1; i <= 8; i++) {
        float v = i;
        rest.add(pool.submit(() -> batcher.submit(row(v))));
      }
      org.awaitility.Awaitility.await().until(() -> batcher.queued() == 8);
      assertThat(batcher.inFlight()).as("the running request and the 8 queued").isEqualTo(9);
      runner.release.countDown();
      assertThat(first.get().get("y").floats()).containsExactly(0, 1);
      for (int i = 1; i <= 8; i++) {
        Tensor y = rest.get(i - 1).get().get("y");
        assertThat(y.shape()).containsExactly(1, 2);
        assertThat(y.floats()).containsExactly(2 * i, 2 * i + 1);
      }
      assertThat(runner.batchRows).containsExactly(1L, 8L);
      assertThat(batcher.inFlight()).isZero();
    } finally {
      pool.shutdownNow();
      batcher.close();
    }
  }

  @Test
  void loneRequest_runsAtOnce_onItsCallersThread() {
    Doubler runner = new Doubler();
    runner.release.countDown();
    DynamicBatcher batcher = new DynamicBatcher("t", runner, 8, 1);
    try {
      // No worker hand-off and no wait for company: the engine call happens on this thread.
      assertThat(batcher.submit(row(3)).get("y").floats()).containsExactly(6, 7);
      assertThat(batcher.submit(row(4)).get("y").floats()).containsExactly(8, 9);
      assertThat(runner.batchRows).containsExactly(1L, 1L);
      assertThat(runner.callerThreads).containsOnly(Thread.currentThread().getName());
    } finally {
      batcher.close();
    }
  }

  @Test
  void requestsQueue_onlyWhileEverySlotIsBusy() throws Exception {
    Doubler runner = new Doubler();
    DynamicBatcher batcher = new DynamicBatcher("t", runner, 8, 2);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      // Two slots: the first two requests both run alone, at once, though the first is busy.
      Future<Map<String, Tensor>> a = pool.submit(() -> batcher.submit(row(1)));
      Future<Map<String, Tensor>> b = pool.submit(() -> batcher.submit(row(2)));
      org.awaitility.Awaitility.await().until(() -> runner.batchRows.size() == 2);
      assertThat(batcher.queued()).isZero();
      // Both slots busy: the next two wait, and run as one batch when a slot frees.
      Future<Map<String, Tensor>> c = pool.submit(() -> batcher.submit(row(3)));
      Future<Map<String, Tensor>> d = pool.submit(() -> batcher.submit(row(4)));
      org.awaitility.Awaitility.await().until(() -> batcher.queued() == 2);
      runner.release.countDown();
      assertThat(a.get().get("y").floats()).containsExactly(2, 3);
      assertThat(b.get().get("y").floats()).containsExactly(4, 5);
      assertThat(c.get().get("y").floats()).containsExactly(6, 7);
      assertThat(d.get().get("y").floats()).containsExactly(8, 9);
      assertThat(runner.batchRows).containsExactly(1L, 1L, 2L);
    } finally {
      pool.shutdownNow();
      batcher.close();
    }
  }

  @Test
  void aBatch_stopsAtMaxBatchSize_andTheRestFollowsInOrder() throws Exception {
    Doubler runner = new Doubler();
    DynamicBatcher batcher = new DynamicBatcher("t", runner, 2, 1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Future<Map<String, Tensor>> first = pool.submit(() -> batcher.submit(row(0)));
      runner.firstCall.await();
      List<Future<Map<String, Tensor>>> rest = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        float v = i;
        rest.add(pool.submit(() -> batcher.submit(row(v))));
        int queued = i;
        org.awaitility.Awaitility.await().until(() -> batcher.queued() == queued);
      }
      runner.release.countDown();
      first.get();
      for (int i = 1; i <= 3; i++) {
        assertThat(rest.get(i - 1).get().get("y").floats()).containsExactly(2 * i, 2 * i + 1);
      }
      assertThat(runner.batchRows).containsExactly(1L, 2L, 1L);
    } finally {
      pool.shutdownNow();
      batcher.close();
    }
  }

  @Test
  void batchable_requiresDynamicDimZeroOnEveryTensor() {
    var dyn = new Manifest.TensorSpec("x", "float32", List.of(-1L, 2L));
    var fixed = new Manifest.TensorSpec("y", "float32", List.of(1L, 2L));
    assertThat(TensorBatching.batchable(new Manifest.IoSignature(List.of(dyn), List.of(dyn))))
        .isTrue();
    assertThat(TensorBatching.batchable(new Manifest.IoSignature(List.of(dyn), List.of(fixed))))
        .isFalse();
  }

  @Test
  void concatAndSplit_roundTrip() {
    List<Map<String, Tensor>> parts = List.of(row(1), row(2), row(3));
    Map<String, Tensor> joined = TensorBatching.concat(parts);
    assertThat(joined.get("x").shape()).containsExactly(3, 2);
    List<Map<String, Tensor>> back = TensorBatching.split(joined, new long[] {1, 1, 1});
    for (int i = 0; i < 3; i++) {
      assertThat(back.get(i).get("x")).isEqualTo(parts.get(i).get("x"));
    }
  }
}
