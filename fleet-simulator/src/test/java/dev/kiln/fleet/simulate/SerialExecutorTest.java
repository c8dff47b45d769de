package dev.kiln.fleet.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void tasksOfOneDevice_runInOrder_andNeverTwoAtOnce_onASharedPool() {
    List<SerialExecutor> devices = new ArrayList<>();
    List<List<Integer>> seen = new ArrayList<>();
    List<AtomicInteger> running = new ArrayList<>();
    AtomicInteger overlaps = new AtomicInteger();
    for (int d = 0; d < 8; d++) {
      devices.add(new SerialExecutor(pool));
      seen.add(new ArrayList<>());
      running.add(new AtomicInteger());
    }
    for (int i = 0; i < 500; i++) {
      for (int d = 0; d < devices.size(); d++) {
        int task = i;
        List<Integer> log = seen.get(d);
        AtomicInteger busy = running.get(d);
        devices
            .get(d)
            .execute(
                () -> {
                  if (busy.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                  }
                  log.add(task); // unsynchronized on purpose: only one task of a device runs
                  busy.decrementAndGet();
                });
      }
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> seen.stream().allMatch(l -> l.size() == 500));
    assertThat(overlaps).hasValue(0);
    for (List<Integer> log : seen) {
      assertThat(log).isSorted().doesNotHaveDuplicates();
    }
  }

  @Test
  void aFailingTask_doesNotStopTheTasksAfterIt() {
    SerialExecutor device = new SerialExecutor(pool);
    AtomicInteger ran = new AtomicInteger();
    device.execute(
        () -> {
          throw new IllegalStateException("boom");
        });
    device.execute(ran::incrementAndGet);
    await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == 1);
  }
}
