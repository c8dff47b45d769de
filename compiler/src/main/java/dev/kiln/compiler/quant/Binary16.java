package dev.kiln.compiler.quant;

/**
 * IEEE 754 binary16 ("half", fp16) conversions. Java 17 has no {@code Float.floatToFloat16} (it
 * came in Java 20), so the rounding is written out: round to nearest, ties to even, as every GPU
 * and ONNX Runtime's Cast do, with overflow to infinity and gradual underflow to subnormals.
 */
final class Binary16 {
  /** Largest finite fp16 value. */
  static final float MAX = 65504f;

  private Binary16() {}

  /** The fp16 bit pattern nearest to {@code f}. */
  static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mantissa = bits & 0x7fffff;
    if (exp == 0xff) {
      // Infinity stays infinity; NaN keeps a quiet payload bit so it stays NaN.
      return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
    }
    int halfExp = exp - 127 + 15;
    if (halfExp >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (halfExp <= 0) {
      if (halfExp < -10) {
        // Below half the smallest subnormal: rounds to zero.
        return (short) sign;
      }
      // Subnormal: shift the mantissa with its implicit bit into place, then round.
      int full = mantissa | 0x800000;
      int shift = 14 - halfExp;
      return (short) (sign | roundShift(full, shift));
    }
    // Normal: rounding may carry into the exponent, which is still the right answer (up to inf).
    int combined = (halfExp << 23) | mantissa;
    return (short) (sign | roundShift(combined, 13));
  }

  /** The float that fp16 bit pattern {@code h} stands for (exact: every fp16 value is a float). */
  static float toFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exp == 0) {
      // Subnormal (or zero): mantissa * 2^-24.
      float magnitude = mantissa * 0x1p-24f;
      return sign != 0 ? -magnitude : magnitude;
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mantissa << 13));
  }

  /** {@code f} rounded to the nearest fp16 value, as a float. */
  static float round(float f) {
    return toFloat(fromFloat(f));
  }

  /** {@code value >> shift}, rounded to nearest with ties to even. */
  private static int roundShift(int value, int shift) {
    int kept = value >>> shift;
    int rest = value & ((1 << shift) - 1);
    int half = 1 << (shift - 1);
    if (rest > half || (rest == half && (kept & 1) == 1)) {
      kept++;
    }
    return kept;
  }
}
