package dev.kiln.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InferenceThreadsTest {

  @Test
  void chosenThreads_timesPredictors_neverExceedTheCores() {
    for (int cores = 1; cores <= 64; cores++) {
      for (int predictors = 1; predictors <= cores; predictors++) {
        for (int hint = 0; hint <= 16; hint++) {
          int threads = InferenceThreads.perPredictor(0, hint, predictors, cores);
          assertThat(threads).isPositive();
          assertThat(threads * predictors).isLessThanOrEqualTo(cores);
        }
      }
    }
  }

  @Test
  void theProfilesCoreCount_isAHint_cappedByTheCoresAvailable() {
    // The case: a generic profile says 4 cores, the host gives the agent 2.
    assertThat(InferenceThreads.perPredictor(0, 4, 2, 2)).isEqualTo(1);
    assertThat(InferenceThreads.perPredictor(0, 4, 1, 2)).isEqualTo(2);
    // A profile asking for fewer threads than the share gets what it asked for.
    assertThat(InferenceThreads.perPredictor(0, 2, 2, 16)).isEqualTo(2);
    // No hint: the predictor's whole share.
    assertThat(InferenceThreads.perPredictor(0, 0, 2, 8)).isEqualTo(4);
  }

  @Test
  void explicitPredictorsBeyondTheCores_stillGetOneThreadEach() {
    assertThat(InferenceThreads.perPredictor(0, 4, 4, 2)).isEqualTo(1);
    assertThat(InferenceThreads.perPredictor(0, 0, 1, 0)).isEqualTo(1);
  }

  @Test
  void configuredThreads_areTakenAsGiven() {
    assertThat(InferenceThreads.perPredictor(8, 4, 2, 2)).isEqualTo(8);
  }
}
