package dev.kiln.compiler.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class QuantArithmeticTest {

  @Test
  void rangeFromZero_putsZeroPointAtTheTypeMinimum_soQuantizeClampsLikeRelu() {
    QuantParams u8 = QuantParams.forRange(0f, 6f, ActivationType.UINT8);
    QuantParams s8 = QuantParams.forRange(0f, 6f, ActivationType.INT8);

    assertThat(u8.zeroPoint()).isZero();
    assertThat(s8.zeroPoint()).isEqualTo(-128);
    assertThat(u8.scale()).isCloseTo(6f / 255, within(1e-7f));
  }

  @Test
  void rangeIsWidenedToIncludeZero() {
    QuantParams p = QuantParams.forRange(2f, 4f, ActivationType.UINT8);

    assertThat(p.zeroPoint()).isZero();
    assertThat(p.scale()).isCloseTo(4f / 255, within(1e-7f));
  }

  @Test
  void perChannelWeights_scaleEachOutputChannelByItsOwnMaximum() {
    // Two output channels (axis 0) of two weights each; channel 1 is 16x smaller.
    float[] w = {1f, -0.25f, 0.0625f, -0.015625f};
    ChannelWeights q = ChannelWeights.quantize(w, new long[] {2, 2}, 0, true, false);

    assertThat(q.scales()).containsExactly(1f / 127, 0.0625f / 127);
    assertThat(q.values()).containsExactly(127, -32, 127, -32);
  }

  @Test
  void reduceRange_keepsWeightsWithinSevenBits() {
    ChannelWeights q =
        ChannelWeights.quantize(new float[] {1f, -1f, 0.25f}, new long[] {3}, 0, false, true);

    assertThat(q.values()).containsExactly(63, -63, 16);
  }

  @Test
  void weightsOnTheLastAxis_areScaledPerColumn() {
    // MatMul weights [K=2, N=2]: columns are channels.
    float[] w = {1f, 0.01f, -1f, -0.01f};
    ChannelWeights q = ChannelWeights.quantize(w, new long[] {2, 2}, 1, true, false);

    assertThat(q.values()).containsExactly(127, 127, -127, -127);
  }
}
