package dev.kiln.agent.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry's hooks for autoscaling: bounded cold-start waits and per-replica memory. */
class ModelRegistryScalingTest {
  private final ExecutorService background = Executors.newCachedThreadPool();
  private final AtomicInteger loads = new AtomicInteger();

  private static final class Runner implements ModelRunner {
    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
      return inputs;
    }

    @Override
    public void close() {}
  }

  private LoadedModel model(ModelRunner runner, long bytes) {
    loads.incrementAndGet();
    return new LoadedModel(
        "m", "1", new Manifest.IoSignature(List.of(), List.of()), runner, null, bytes, 0);
  }

  @AfterEach
  void stop() {
    background.shutdownNow();
  }

  @Test
  void boundedAcquire_timesOutWithRetryLater_whileTheLoadGoesOn_andARetryGetsIt() throws Exception {
    ModelRegistry r = new ModelRegistry(1000);
    CountDownLatch release = new CountDownLatch(1);
    Runner runner = new Runner();
    java.util.function.Supplier<LoadedModel> slowLoad =
        () -> {
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return model(runner, 10);
        };

    assertThatThrownBy(() -> r.acquire("m@1", slowLoad, Duration.ofMillis(200), background))
        .isInstanceOf(ModelRegistry.ColdStartTimeout.class)
        .satisfies(
            e -> assertThat(((AgentException) e).code()).isEqualTo(AgentErrorCode.MODEL_NOT_READY))
        .hasMessageContaining("coldStartTimeoutS");
    // A second caller joins the load in progress instead of starting another.
    assertThatThrownBy(() -> r.acquire("m@1", slowLoad, Duration.ofMillis(100), background))
        .isInstanceOf(ModelRegistry.ColdStartTimeout.class);
    release.countDown();
    try (ModelRegistry.Lease lease =
        r.acquire("m@1", slowLoad, Duration.ofSeconds(10), background)) {
      assertThat(lease.model().runner()).isSameAs(runner);
    }
    assertThat(loads.get()).isEqualTo(1);
  }

  @Test
  void boundedAcquire_passesALoadFailureOn() {
    ModelRegistry r = new ModelRegistry(1000);
    assertThatThrownBy(
            () ->
                r.acquire(
                    "m@1",
                    () -> {
                      throw new AgentException(AgentErrorCode.ENGINE_ERROR, "bad payload");
                    },
                    Duration.ofSeconds(5),
                    background))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("bad payload");
  }

  @Test
  void reserve_countsReplicaMemory_refusesOverBudget_andUnreserveGivesItBack() {
    ModelRegistry r = new ModelRegistry(100);
    Runner runner = new Runner();
    try (ModelRegistry.Lease ignored = r.acquire("m@1", () -> model(runner, 40))) {
      assertThat(r.reserve("m@1", runner, 40)).isTrue();
      assertThat(r.usedBytes()).isEqualTo(80);
      assertThat(r.reserve("m@1", runner, 40)).as("120 > 100").isFalse();
      assertThat(r.usedBytes()).isEqualTo(80);
      assertThat(r.reserve("m@1", new Runner(), 10)).as("not the loaded runner").isFalse();
      r.unreserve("m@1", runner, 40);
      assertThat(r.usedBytes()).isEqualTo(40);
      assertThat(r.reserve("m@1", runner, 40)).isTrue();
    }
    r.unload("m@1");
    assertThat(r.usedBytes()).as("an unload frees the replicas' memory too").isZero();
    r.unreserve("m@1", runner, 40);
    assertThat(r.usedBytes()).as("a replica closing after the unload frees nothing twice").isZero();
  }
}
