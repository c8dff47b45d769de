package dev.kiln.agent.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.TensorData;
import dev.kiln.artifact.VerificationSample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthCheckTest {
  private static final VerificationSample SAMPLE =
      new VerificationSample(
          Map.of("x", TensorData.ofFloats(List.of(1L, 2L), new float[] {1, 2})),
          Map.of("y", TensorData.ofFloats(List.of(1L, 2L), new float[] {10, 20})),
          1e-3);

  private static Map<String, Tensor> out(float a, float b) {
    return Map.of("y", Tensor.ofFloats(new long[] {1, 2}, new float[] {a, b}));
  }

  @Test
  void run_passes_whenOutputsMatchWithinTolerance() {
    assertThat(HealthCheck.run(SAMPLE, in -> out(10.005f, 20)).ok()).isTrue();
  }

  @Test
  void run_fails_namingOutputAndIndex_whenAValueIsOff() {
    HealthCheck.Result r = HealthCheck.run(SAMPLE, in -> out(10, 25));
    assertThat(r.ok()).isFalse();
    assertThat(r.detail()).contains("'y'[1]", "sample expects 20");
  }

  @Test
  void run_fails_onShapeMismatchMissingOutputNaNAndEngineError() {
    assertThat(
            HealthCheck.run(
                    SAMPLE,
                    in -> Map.of("y", Tensor.ofFloats(new long[] {2}, new float[] {10, 20})))
                .ok())
        .isFalse();
    assertThat(HealthCheck.run(SAMPLE, in -> Map.of()).detail()).contains("no output 'y'");
    assertThat(HealthCheck.run(SAMPLE, in -> out(Float.NaN, 20)).ok()).isFalse();
    assertThat(
            HealthCheck.run(
                    SAMPLE,
                    in -> {
                      throw new IllegalStateException("boom");
                    })
                .detail())
        .contains("boom");
    assertThat(HealthCheck.run(null, in -> out(10, 20)).ok()).isFalse();
  }
}
