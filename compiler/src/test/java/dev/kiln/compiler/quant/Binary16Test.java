package dev.kiln.compiler.quant;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Binary16Test {
  private static int bits(float f) {
    return Binary16.fromFloat(f) & 0xffff;
  }

  @Test
  void fromFloat_matchesKnownEncodings() {
    assertThat(bits(0f)).isEqualTo(0x0000);
    assertThat(bits(-0f)).isEqualTo(0x8000);
    assertThat(bits(1f)).isEqualTo(0x3c00);
    assertThat(bits(-2f)).isEqualTo(0xc000);
    assertThat(bits(0.5f)).isEqualTo(0x3800);
    assertThat(bits(0.1f)).isEqualTo(0x2e66);
    assertThat(bits(1f / 3)).isEqualTo(0x3555);
    assertThat(bits(3.140625f)).isEqualTo(0x4248);
    assertThat(bits(65504f)).isEqualTo(0x7bff);
    assertThat(bits(0x1p-14f)).as("smallest normal").isEqualTo(0x0400);
    assertThat(bits(0x1p-24f)).as("smallest subnormal").isEqualTo(0x0001);
    assertThat(bits(0x1.ff8p-15f)).as("largest subnormal").isEqualTo(0x03ff);
  }

  @Test
  void fromFloat_roundsToNearestWithTiesToEven() {
    assertThat(bits(1f + 0x1p-11f)).as("tie, rounds down to even").isEqualTo(0x3c00);
    assertThat(bits(1f + 0x3p-11f)).as("tie, rounds up to even").isEqualTo(0x3c02);
    assertThat(bits(1f + 0x1.8p-11f)).as("above the tie").isEqualTo(0x3c01);
    assertThat(bits(0x1p-25f)).as("half the smallest subnormal ties to zero").isEqualTo(0);
    assertThat(bits(0x1.8p-25f)).isEqualTo(0x0001);
    assertThat(bits(0x1.ffcp-15f)).as("subnormal rounds up into the normals").isEqualTo(0x0400);
    assertThat(bits(2049f)).as("integers above 2048 lose their last bit").isEqualTo(0x6800);
    assertThat(bits(2051f)).isEqualTo(0x6802);
  }

  @Test
  void fromFloat_overflowsToInfinity_andKeepsNaN() {
    assertThat(bits(65519f)).isEqualTo(0x7bff);
    assertThat(bits(65520f))
        .as("tie between 65504 and 65536 goes to even: infinity")
        .isEqualTo(0x7c00);
    assertThat(bits(1e6f)).isEqualTo(0x7c00);
    assertThat(bits(-1e6f)).isEqualTo(0xfc00);
    assertThat(bits(Float.POSITIVE_INFINITY)).isEqualTo(0x7c00);
    assertThat(Float.isNaN(Binary16.toFloat(Binary16.fromFloat(Float.NaN)))).isTrue();
    assertThat(bits(1e-10f)).isZero();
  }

  @Test
  void everyHalfValue_roundTripsThroughFloat() {
    for (int h = 0; h < 0x10000; h++) {
      float f = Binary16.toFloat((short) h);
      if (Float.isNaN(f)) {
        assertThat((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0).isTrue();
        continue;
      }
      assertThat(bits(f)).as("0x%04x", h).isEqualTo(h);
    }
  }

  @Test
  void round_isTheNearestHalf_forRandomFloats() {
    java.util.Random rnd = new java.util.Random(7);
    for (int i = 0; i < 100_000; i++) {
      float f = (float) ((rnd.nextDouble() * 2 - 1) * Math.pow(2, rnd.nextInt(40) - 24));
      float r = Binary16.round(f);
      short h = Binary16.fromFloat(f);
      // No fp16 neighbour of the chosen value is closer.
      float up = Binary16.toFloat((short) (h + 1));
      float down = Binary16.toFloat((short) (h - 1));
      double err = Math.abs((double) r - f);
      if ((h & 0x7fff) != 0 && (h & 0x7fff) < 0x7bff) {
        assertThat(err).isLessThanOrEqualTo(Math.abs((double) up - f));
        assertThat(err).isLessThanOrEqualTo(Math.abs((double) down - f));
      }
    }
  }
}
