package dev.kiln.compiler.ort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TensorStatsTest {

  @Test
  void minMaxAndPercentile_survive_growingRangesAcrossBatches() {
    TensorStats s = new TensorStats();
    float[] small = new float[10_000];
    for (int i = 0; i < small.length; i++) {
      small[i] = (i % 200) / 100f - 1f; // uniform in [-1, 0.99]
    }
    s.add(small);
    s.add(new float[] {50f}); // one outlier forces the histogram to widen several times

    assertThat(s.min()).isEqualTo(-1f);
    assertThat(s.max()).isEqualTo(50f);
    // 99.9% of the values leaves out the outlier: the threshold stays near 1, not 50.
    assertThat(s.absPercentile(0.999)).isCloseTo(1f, within(0.1f));
    assertThat(s.absPercentile(1.0)).isEqualTo(50f);
  }

  @Test
  void empty_reportsZeros() {
    TensorStats s = new TensorStats();

    assertThat(s.min()).isZero();
    assertThat(s.max()).isZero();
    assertThat(s.absPercentile(0.9999)).isZero();
  }

  @Test
  void nonFiniteValues_areIgnored() {
    TensorStats s = new TensorStats();
    s.add(new float[] {Float.POSITIVE_INFINITY, Float.NaN, -2f, 3f, Float.NEGATIVE_INFINITY});

    assertThat(s.min()).isEqualTo(-2f);
    assertThat(s.max()).isEqualTo(3f);
    assertThat(s.absPercentile(1.0)).isEqualTo(3f);
  }
}
