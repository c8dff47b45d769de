package dev.kiln.agent.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.link.protocol.BenchmarkPayload.Budget;
import dev.kiln.link.protocol.BenchmarkPayload.Config;
import org.junit.jupiter.api.Test;

class BenchmarkBudgetTest {

  @Test
  void zeros_takeTheDefaults_andGivenFieldsStay() {
    Budget b = BenchmarkBudget.orDefaults(new Budget(0, 0.5, 0, 3), BenchmarkBudget.DEVICE_DEFAULT);

    assertThat(b)
        .isEqualTo(
            new Budget(
                BenchmarkBudget.DEVICE_DEFAULT.maxSeconds(),
                0.5,
                BenchmarkBudget.DEVICE_DEFAULT.maxRequestsPerConfig(),
                3));
    assertThat(BenchmarkBudget.orDefaults(null, BenchmarkBudget.LOCAL_DEFAULT))
        .isEqualTo(BenchmarkBudget.LOCAL_DEFAULT);
  }

  @Test
  void aBudgetOverTheDeviceLimits_isRefusedNamingEachField() {
    assertThat(BenchmarkBudget.problems(new Budget(3600, 120, 0, 20)))
        .hasSize(3)
        .anyMatch(p -> p.contains("maxSeconds") && p.contains("600"))
        .anyMatch(p -> p.contains("secondsPerConfig") && p.contains("60"))
        .anyMatch(p -> p.contains("maxRequestsPerConfig"));
    assertThat(BenchmarkBudget.problems(BenchmarkBudget.DEVICE_DEFAULT)).isEmpty();
    assertThat(BenchmarkBudget.problems(BenchmarkBudget.LOCAL_DEFAULT)).isEmpty();
  }

  @Test
  void configurationsOverTheCoresOrTheClientCap_areRefusedWithTheReason() {
    assertThat(BenchmarkBudget.refusal(new Config(2, 2, 1, 1), 2)).contains("over the 2 cores");
    assertThat(BenchmarkBudget.refusal(new Config(1, 1, 1, 65), 2)).contains("concurrency");
    assertThat(BenchmarkBudget.refusal(new Config(0, 1, 1, 1), 2)).contains("at least 1");
    assertThat(BenchmarkBudget.refusal(new Config(1, 2, 16, 64), 2)).isNull();
  }
}
