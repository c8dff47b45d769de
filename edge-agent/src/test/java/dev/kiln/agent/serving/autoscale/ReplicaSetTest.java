package dev.kiln.agent.serving.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReplicaSetTest {
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger drained = new AtomicInteger();

  /** A replica that holds each call until the test releases it; counts its calls and closes. */
  private final class Held implements ModelRunner {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger running = new AtomicInteger();
    volatile boolean closed;

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
      assertThat(closed).as("a closed replica is never called").isFalse();
      calls.incrementAndGet();
      running.incrementAndGet();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        running.decrementAndGet();
      }
      return inputs;
    }

    @Override
    public void close() {
      assertThat(running.get()).as("closed only when idle").isZero();
      closed = true;
    }
  }

  private static Map<String, Tensor> input() {
    return Map.of("x", Tensor.ofFloats(new long[] {1, 1}, new float[] {1}));
  }

  @AfterEach
  void stop() {
    release.countDown();
    pool.shutdownNow();
  }

  private List<Future<Map<String, Tensor>>> submit(ReplicaSet set, int n) {
    List<Future<Map<String, Tensor>>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(pool.submit(() -> set.run(input())));
    }
    return out;
  }

  @Test
  void requests_runConcurrently_onEveryReplica_andQueueBeyondThem() throws Exception {
    Held a = new Held();
    Held b = new Held();
    ReplicaSet set = new ReplicaSet(a, s -> drained.incrementAndGet());
    set.add(b);
    List<Future<Map<String, Tensor>>> calls = submit(set, 3);

    await().atMost(Duration.ofSeconds(5)).until(() -> set.inFlight() == 3);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.running.get() + b.running.get() == 2);
    assertThat(set.peakEngineCalls()).isEqualTo(2);
    release.countDown();
    for (Future<Map<String, Tensor>> f : calls) {
      assertThat(f.get()).containsKey("x");
    }
    assertThat(set.inFlight()).isZero();
    assertThat(set.requests()).isEqualTo(3);
    assertThat(a.calls.get() + b.calls.get()).isEqualTo(3);
  }

  @Test
  void withABatcherInFront_inFlightIsItsRequestCount_notTheEngineCalls() throws Exception {
    Held a = new Held();
    ReplicaSet set = new ReplicaSet(a, s -> {});
    List<Future<Map<String, Tensor>>> calls = submit(set, 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> set.inFlight() == 1);
    AtomicInteger batcherRequests = new AtomicInteger(9);
    set.countRequestsWith(batcherRequests::get);
    assertThat(set.inFlight()).as("a batch of 9 requests is one call").isEqualTo(9);
    batcherRequests.set(0);
    assertThat(set.inFlight()).isZero();
    release.countDown();
    calls.get(0).get();
    assertThat(set.requests()).as("engine calls").isEqualTo(1);
  }

  @Test
  void addedReplica_takesAWaitingRequest() throws Exception {
    Held a = new Held();
    ReplicaSet set = new ReplicaSet(a, s -> {});
    List<Future<Map<String, Tensor>>> calls = submit(set, 2);
    await().atMost(Duration.ofSeconds(5)).until(() -> set.inFlight() == 2);
    assertThat(set.peakEngineCalls()).isEqualTo(1);

    Held b = new Held();
    assertThat(set.add(b)).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> b.running.get() == 1);
    assertThat(set.peakEngineCalls()).isEqualTo(2);
    release.countDown();
    for (Future<Map<String, Tensor>> f : calls) {
      f.get();
    }
  }

  @Test
  void removeOne_closesAnIdleReplicaNow_andKeepsTheLast() {
    Held a = new Held();
    Held b = new Held();
    ReplicaSet set = new ReplicaSet(a, s -> drained.incrementAndGet());
    set.add(b);
    assertThat(set.removeOne()).isTrue();
    assertThat(set.replicas()).isEqualTo(1);
    assertThat(a.closed || b.closed).isTrue();
    assertThat(drained.get()).isEqualTo(1);
    assertThat(set.removeOne()).as("the last replica stays").isFalse();
  }

  @Test
  void removeOne_whileAllBusy_letsTheRequestFinish_thenCloses() throws Exception {
    Held a = new Held();
    Held b = new Held();
    ReplicaSet set = new ReplicaSet(a, s -> drained.incrementAndGet());
    set.add(b);
    List<Future<Map<String, Tensor>>> calls = submit(set, 2);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.running.get() + b.running.get() == 2);

    assertThat(set.removeOne()).isTrue();
    assertThat(set.replicas()).isEqualTo(1);
    assertThat(a.closed || b.closed).as("still running its request").isFalse();
    release.countDown();
    for (Future<Map<String, Tensor>> f : calls) {
      assertThat(f.get()).containsKey("x");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> drained.get() == 1);
    assertThat(a.closed ^ b.closed).isTrue();
    // The one left serves on.
    assertThat(set.run(input())).containsKey("x");
  }

  @Test
  void close_closesEveryReplica_andRefusesLaterRequests() {
    Held a = new Held();
    Held b = new Held();
    ReplicaSet set = new ReplicaSet(a, s -> drained.incrementAndGet());
    set.add(b);
    set.close();
    assertThat(a.closed && b.closed).isTrue();
    assertThat(drained.get()).as("an unload returns memory through the registry").isZero();
    assertThat(set.add(new Held())).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> set.run(input()))
        .hasMessageContaining("unloaded");
  }
}
