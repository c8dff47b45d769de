package dev.kiln.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerificationSampleTest {
  private static final Map<String, TensorData> NONE = Map.of();

  @Test
  void outputScale_isTheLargestMagnitude_skippingNaN_and1WhenNoneIsAboveZero() {
    assertThat(VerificationSample.outputScale(new double[] {-3, 2})).isEqualTo(3);
    assertThat(VerificationSample.outputScale(new double[] {Double.NaN, 2e-9})).isEqualTo(2e-9);
    assertThat(VerificationSample.outputScale(new double[] {0, 0})).isEqualTo(1);
    assertThat(VerificationSample.outputScale(new double[] {})).isEqualTo(1);
  }

  @Test
  void rule_isRelativeToTheOutput_forOutputMax_andAllcloseOtherwise() {
    double[] expected = {2e-9, -1e-9};
    VerificationSample.Rule relative =
        VerificationSample.relativeToOutputMax(NONE, NONE, 1e-4).rule(1e-4, expected);
    VerificationSample.Rule absolute =
        new VerificationSample(NONE, NONE, 1e-4).rule(1e-4, expected);

    assertThat(relative.allows(2e-9 + 1e-13, 2e-9)).isTrue();
    assertThat(relative.allows(0, 2e-9)).isFalse();
    assertThat(absolute.allows(0, 2e-9)).isTrue();
    assertThat(relative.allows(Double.NaN, 2e-9)).isFalse();
    assertThat(relative.describe()).isEqualTo("|actual - expected| <= 2.00e-13");
    assertThat(absolute.describe())
        .isEqualTo("|actual - expected| <= 0.000100 + 0.000100 * |expected|");
  }

  @Test
  void toleranceScale_roundTripsThroughJson_andIsAbsentForTheAbsoluteRule() throws Exception {
    TensorData t = TensorData.ofFloats(List.of(1L), new float[] {1});
    VerificationSample relative =
        VerificationSample.relativeToOutputMax(Map.of("x", t), Map.of("y", t), 1e-4);
    VerificationSample absolute = new VerificationSample(Map.of("x", t), Map.of("y", t), 1e-4);

    assertThat(Json.fromBytes(Json.toBytes(relative), VerificationSample.class))
        .isEqualTo(relative);
    assertThat(new String(Json.toBytes(relative), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"toleranceScale\" : \"output-max\"");
    assertThat(new String(Json.toBytes(absolute), java.nio.charset.StandardCharsets.UTF_8))
        .doesNotContain("toleranceScale");
    assertThat(Json.fromBytes(Json.toBytes(absolute), VerificationSample.class).toleranceScale())
        .isNull();
  }
}
