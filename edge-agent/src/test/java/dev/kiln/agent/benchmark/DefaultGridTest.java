package dev.kiln.agent.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.link.protocol.BenchmarkPayload.Config;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultGridTest {

  @Test
  void twoCores_giveThreePairsAtTwoLoads_withBatchingOnlyUnderLoad() {
    List<Config> grid = DefaultGrid.of(2, true);

    assertThat(grid)
        .containsExactly(
            new Config(1, 1, 1, 1),
            new Config(2, 1, 1, 1),
            new Config(1, 2, 1, 1),
            new Config(1, 1, 1, 8),
            new Config(1, 1, DefaultGrid.BATCH, 8),
            new Config(2, 1, 1, 8),
            new Config(2, 1, DefaultGrid.BATCH, 8),
            new Config(1, 2, 1, 8),
            new Config(1, 2, DefaultGrid.BATCH, 8));
  }

  @Test
  void neverMoreBusyThreadsThanCores() {
    for (int cores : new int[] {1, 2, 3, 4, 6, 8, 16, 64}) {
      assertThat(DefaultGrid.of(cores, true))
          .as("%d cores", cores)
          .isNotEmpty()
          .allSatisfy(c -> assertThat(c.threads() * c.predictors()).isLessThanOrEqualTo(cores))
          .allSatisfy(c -> assertThat(BenchmarkBudget.refusal(c, cores)).isNull());
    }
  }

  @Test
  void oneCore_isOneThreadOnePredictor_andClientsStayAtMost32() {
    assertThat(DefaultGrid.of(1, false))
        .containsExactly(new Config(1, 1, 1, 1), new Config(1, 1, 1, 4));
    assertThat(DefaultGrid.of(64, false))
        .allSatisfy(c -> assertThat(c.concurrency()).isLessThanOrEqualTo(32));
  }

  @Test
  void unbatchableModels_getNoBatchingConfigurations() {
    assertThat(DefaultGrid.of(4, false)).noneMatch(Config::batching);
    assertThat(DefaultGrid.of(4, true)).anyMatch(Config::batching);
  }
}
