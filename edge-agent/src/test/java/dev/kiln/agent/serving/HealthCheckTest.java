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

  /** Outputs the size of the sample mobilenet_v2's (random weights): about 2.7e-9. */
  private static VerificationSample tiny(String scale) {
    return new VerificationSample(
        Map.of("x", TensorData.ofFloats(List.of(1L, 2L), new float[] {1, 2})),
        Map.of("y", TensorData.ofFloats(List.of(1L, 2L), new float[] {2.7e-9f, -1.2e-9f})),
        1e-4,
        scale);
  }

  @Test
  void run_outputMax_catchesDriftInTinyOutputs_thatTheAbsoluteRuleCannotSee() {
    // A model that lost its weights and answers zeros: 2.7e-9 off, far inside an absolute 1e-4.
    assertThat(HealthCheck.run(tiny(null), in -> out(0, 0)).ok()).isTrue();
    HealthCheck.Result r = HealthCheck.run(tiny(VerificationSample.OUTPUT_MAX), in -> out(0, 0));
    assertThat(r.ok()).isFalse();
    assertThat(r.detail()).contains("'y'[0]", "allowed: |actual - expected| <= 2.70e-13");
  }

  @Test
  void run_outputMax_passesKernelNoise_atTheScaleOfEachOutput() {
    // 4e-7 of the largest value: what arm64's kernels differed by from x86's (docs/agent.md).
    float noise = 2.7e-9f * 4e-7f;
    HealthCheck.Result r =
        HealthCheck.run(
            tiny(VerificationSample.OUTPUT_MAX), in -> out(2.7e-9f + noise, -1.2e-9f - noise));
    assertThat(r.ok()).isTrue();
    assertThat(r.detail()).contains("of each output's largest value");
  }

  @Test
  void run_outputMax_scalesBy1_whenEveryRecordedValueIsZero() {
    VerificationSample zeros =
        new VerificationSample(
            Map.of("x", TensorData.ofFloats(List.of(1L, 2L), new float[] {1, 2})),
            Map.of("y", TensorData.ofFloats(List.of(1L, 2L), new float[] {0, 0})),
            1e-4,
            VerificationSample.OUTPUT_MAX);
    assertThat(HealthCheck.run(zeros, in -> out(5e-5f, 0)).ok()).isTrue();
    assertThat(HealthCheck.run(zeros, in -> out(2e-4f, 0)).ok()).isFalse();
  }
}
