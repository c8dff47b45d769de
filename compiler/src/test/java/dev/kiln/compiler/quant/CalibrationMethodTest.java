package dev.kiln.compiler.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CalibrationMethodTest {

  @ParameterizedTest
  @CsvSource({
    "minmax, minmax, min-max calibration",
    "MinMax, minmax, min-max calibration",
    "percentile, percentile:99.99, percentile calibration (99.99% of |x|)",
    "percentile:99.9, percentile:99.9, percentile calibration (99.9% of |x|)",
    "percentile:100, percentile:100, percentile calibration (100% of |x|)",
    "percentile:99.990, percentile:99.99, percentile calibration (99.99% of |x|)"
  })
  void parse_readsTheCliSpelling_andSpellsItBack(String text, String spelling, String words) {
    CalibrationMethod method = CalibrationMethod.parse(text);

    assertThat(method.spelling()).isEqualTo(spelling);
    assertThat(method.describe()).isEqualTo(words);
    assertThat(CalibrationMethod.parse(method.spelling())).isEqualTo(method);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "max", "percentile:", "percentile:0", "percentile:101", "p:99"})
  void parse_refusesOtherSpellings_listingTheValidOnes(String text) {
    assertThatThrownBy(() -> CalibrationMethod.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minmax, percentile or percentile:P");
  }
}
