package dev.kiln.agent.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.runtime.Tensor;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClosedLoopTest {
  private static final Map<String, Tensor> INPUT =
      Map.of("x", Tensor.ofFloats(new long[] {1, 1}, new float[] {1f}));

  @Test
  void stopsAtTheRequestBound_andCountsEveryAnswer() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    ClosedLoop.Result r =
        ClosedLoop.run(
            in -> {
              calls.incrementAndGet();
              return in;
            },
            INPUT,
            4,
            30,
            500,
            ProductionGate.NONE,
            Long.MAX_VALUE);

    assertThat(r.latenciesNanos()).hasSize(500);
    assertThat(calls).hasValue(500);
    assertThat(r.errors()).isZero();
    assertThat(r.yieldedNanos()).isZero();
    assertThat(r.latenciesNanos()).isSorted();
  }

  @Test
  void noRequestStarts_whileProductionIsInFlight() throws Exception {
    AtomicBoolean production = new AtomicBoolean(true);
    AtomicInteger startedDuringProduction = new AtomicInteger();
    Thread release =
        new Thread(
            () -> {
              try {
                Thread.sleep(200);
              } catch (InterruptedException e) {
                return;
              }
              production.set(false);
            });
    release.start();
    ClosedLoop.Result r =
        ClosedLoop.run(
            in -> {
              if (production.get()) {
                startedDuringProduction.incrementAndGet();
              }
              return in;
            },
            INPUT,
            2,
            30,
            100,
            production::get,
            Long.MAX_VALUE);
    release.join();

    assertThat(startedDuringProduction).hasValue(0);
    assertThat(r.latenciesNanos()).hasSize(100);
    assertThat(r.yieldedNanos()).as("both clients waited for production").isPositive();
  }

  @Test
  void failedRequests_areCountedApart_withTheFirstReason() throws Exception {
    AtomicInteger n = new AtomicInteger();
    ClosedLoop.Result r =
        ClosedLoop.run(
            in -> {
              if (n.incrementAndGet() % 2 == 0) {
                throw new IllegalStateException("engine said no");
              }
              return in;
            },
            INPUT,
            1,
            30,
            10,
            ProductionGate.NONE,
            Long.MAX_VALUE);

    assertThat(r.latenciesNanos()).hasSize(5);
    assertThat(r.errors()).isEqualTo(5);
    assertThat(r.firstError()).isEqualTo("engine said no");
  }

  @Test
  void quantiles_useNearestRank() {
    long[] sorted = new long[100];
    for (int i = 0; i < 100; i++) {
      sorted[i] = i + 1;
    }
    assertThat(ClosedLoop.quantile(sorted, 0.50)).isEqualTo(50);
    assertThat(ClosedLoop.quantile(sorted, 0.95)).isEqualTo(95);
    assertThat(ClosedLoop.quantile(sorted, 0.99)).isEqualTo(99);
    assertThat(ClosedLoop.quantile(new long[] {7}, 0.99)).isEqualTo(7);
    assertThat(ClosedLoop.quantile(new long[0], 0.5)).isZero();
  }
}
