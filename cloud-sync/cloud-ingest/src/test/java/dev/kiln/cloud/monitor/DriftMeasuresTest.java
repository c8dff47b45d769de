package dev.kiln.cloud.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DriftMeasuresTest {
  @Test
  void sameDistribution_measuresZero() {
    long[] a = {10, 20, 30, 40};
    long[] b = {20, 40, 60, 80};
    assertThat(DriftMeasures.psi(a, b)).isCloseTo(0, within(1e-12));
    assertThat(DriftMeasures.jsDistance(a, b)).isCloseTo(0, within(1e-6));
    assertThat(DriftMeasures.ksD(a, b)).isCloseTo(0, within(1e-12));
    assertThat(DriftMeasures.maxShareChange(a, b)).isCloseTo(0, within(1e-12));
  }

  @Test
  void knownValues() {
    long[] e = {50, 50};
    long[] a = {25, 75};
    // PSI = (0.25-0.5) ln(0.25/0.5) + (0.75-0.5) ln(0.75/0.5)
    assertThat(DriftMeasures.psi(e, a))
        .isCloseTo(0.25 * Math.log(2) + 0.25 * Math.log(1.5), within(1e-12));
    assertThat(DriftMeasures.ksD(e, a)).isCloseTo(0.25, within(1e-12));
    assertThat(DriftMeasures.maxShareChange(e, a)).isCloseTo(0.25, within(1e-12));
    assertThat(DriftMeasures.jsDistance(new long[] {1, 0}, new long[] {0, 1}))
        .as("disjoint distributions are 1 apart")
        .isCloseTo(1, within(1e-12));
  }

  @Test
  void ksPValue_followsTheKolmogorovDistribution() {
    // lambda = (sqrt(500) + 0.12 + 0.11/sqrt(500)) * 0.05 = 1.124; Q(1.124) = 0.16
    assertThat(DriftMeasures.ksPValue(0.05, 1000, 1000)).isCloseTo(0.16, within(0.005));
    assertThat(DriftMeasures.ksPValue(0.2, 1000, 1000)).isLessThan(1e-15);
    assertThat(DriftMeasures.ksPValue(0.001, 1000, 1000)).isEqualTo(1);
  }
}
