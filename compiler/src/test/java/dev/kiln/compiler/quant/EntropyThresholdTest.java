package dev.kiln.compiler.quant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class EntropyThresholdTest {
  private static final int BINS = 2048;

  @Test
  void rareFarOutliers_areClipped_whileTheBulkKeepsItsRange() {
    double width = 100.0 / 2000;
    long[] counts = new long[BINS];
    Random random = new Random(3);
    for (int i = 0; i < 200_000; i++) {
      counts[(int) (Math.abs(random.nextGaussian()) / width)]++;
    }
    for (int i = 0; i < 10; i++) {
      counts[(int) (100 / width) - 1]++;
    }

    double t = EntropyThreshold.of(counts, width);

    // Min-max would keep 100; the bulk (|x| < 4.5) must fit, the outliers need not.
    assertThat(t).isGreaterThanOrEqualTo(EntropyThreshold.LEVELS * width).isLessThan(20);
  }

  @Test
  void exactZerosAfterARelu_doNotPullTheThresholdDown() {
    double width = 8.0 / 1500;
    long[] counts = new long[BINS];
    Random random = new Random(1);
    for (int i = 0; i < 500_000; i++) {
      double a = Math.abs(random.nextGaussian());
      if (a < 8) {
        counts[(int) (a / width)]++;
      }
    }
    counts[1499]++;
    long[] relu = counts.clone();
    relu[0] += 500_000;

    double t = EntropyThreshold.of(counts, width);

    // A normal distribution's 8-bit threshold sits near 4.5 sigma, zeros or not.
    assertThat(t).isBetween(3.5, 5.5);
    assertThat(EntropyThreshold.of(relu, width)).isEqualTo(t);
  }

  @Test
  void aUniformDistribution_keepsNearlyItsWholeRange() {
    double width = 10.0 / BINS;
    long[] counts = new long[BINS];
    java.util.Arrays.fill(counts, 100);

    double t = EntropyThreshold.of(counts, width);

    assertThat(t).isGreaterThan(9.0).isLessThanOrEqualTo(10.0);
  }

  @Test
  void fewerBinsThanLevels_keepTheWholeRange() {
    long[] counts = new long[BINS];
    counts[0] = 5;
    counts[40] = 1;

    assertThat(EntropyThreshold.of(counts, 0.5)).isEqualTo(41 * 0.5);
    assertThat(EntropyThreshold.of(new long[BINS], 0)).isZero();
  }
}
