package dev.kiln.cloud.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WindowLengthTest {
  @Test
  void parsesTheShortForms_andIso() {
    assertThat(WindowLength.parse("--window", "90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(WindowLength.parse("--window", "10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(WindowLength.parse("--window", "1h")).isEqualTo(Duration.ofHours(1));
    assertThat(WindowLength.parse("--window", "2d")).isEqualTo(Duration.ofDays(2));
    assertThat(WindowLength.parse("--window", "PT5M")).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void refusesNonsense_andZero_asUsage() {
    for (String bad : new String[] {"10x", "m", "", "0m", "-1h"}) {
      assertThatThrownBy(() -> WindowLength.parse("--window", bad))
          .as(bad)
          .isInstanceOfSatisfying(
              CloudException.class, e -> assertThat(e.code()).isEqualTo(CloudErrorCode.USAGE))
          .hasMessageContaining("--window");
    }
  }
}
