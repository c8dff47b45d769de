package dev.kiln.agent.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {
  private final List<String> closed = new ArrayList<>();
  private final AtomicInteger loads = new AtomicInteger();

  /** An engine-free runner that records when it is closed. */
  private final class Runner implements ModelRunner {
    final String key;

    Runner(String key) {
      this.key = key;
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
      return inputs;
    }

    @Override
    public void close() {
      closed.add(key);
    }
  }

  private LoadedModel model(String key, long bytes) {
    loads.incrementAndGet();
    return new LoadedModel(
        key, "1", new Manifest.IoSignature(List.of(), List.of()), new Runner(key), null, bytes, 0);
  }

  private void use(ModelRegistry r, String key, long bytes) {
    try (ModelRegistry.Lease ignored = r.acquire(key, () -> model(key, bytes))) {
      // held only for the call
    }
  }

  @Test
  void acquire_evictsLeastRecentlyUsed_whenBudgetWouldBeExceeded() {
    ModelRegistry r = new ModelRegistry(100);
    use(r, "a", 40);
    use(r, "b", 40);
    use(r, "a", 40); // a is now more recent than b
    use(r, "c", 40);
    assertThat(r.loadedKeys()).containsExactlyInAnyOrder("a", "c");
    assertThat(closed).containsExactly("b");
    assertThat(r.usedBytes()).isEqualTo(80);
    assertThat(r.evictions()).isEqualTo(1);
  }

  @Test
  void acquire_reloadsEvictedModel_onDemand() {
    ModelRegistry r = new ModelRegistry(50);
    use(r, "a", 40);
    use(r, "b", 40);
    use(r, "a", 40);
    assertThat(loads.get()).isEqualTo(3);
    assertThat(r.loadedKeys()).containsExactly("a");
    assertThat(closed).containsExactly("a", "b");
  }

  @Test
  void evictedModel_closesOnlyAfterLastLeaseIsReleased() {
    ModelRegistry r = new ModelRegistry(50);
    ModelRegistry.Lease held = r.acquire("a", () -> model("a", 40));
    use(r, "b", 40);
    assertThat(r.loadedKeys()).containsExactly("b");
    assertThat(closed).isEmpty();
    held.close();
    assertThat(closed).containsExactly("a");
  }

  @Test
  void acquire_refusesModelLargerThanBudget_andClosesIt() {
    ModelRegistry r = new ModelRegistry(10);
    assertThatThrownBy(() -> use(r, "big", 11))
        .isInstanceOfSatisfying(
            AgentException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MEMORY_BUDGET_EXCEEDED));
    assertThat(closed).containsExactly("big");
    assertThat(r.usedBytes()).isZero();
  }

  @Test
  void acquire_loadsOnce_whenAlreadyLoaded() {
    ModelRegistry r = new ModelRegistry(100);
    use(r, "a", 10);
    use(r, "a", 10);
    assertThat(loads.get()).isEqualTo(1);
  }
}
