package dev.kiln.agent.http;

import java.math.BigInteger;

/**
 * A finite float as JSON number text, spelled as {@code Float.toString} spells it ({@code 0.25},
 * {@code 1234.5}, {@code 1.0E-5}), with the fewest significant digits that read back as the same
 * float (at least two, so that a float whose shortest form is one digit keeps the closer second
 * one, as Java 19 and later print {@code Float.MIN_VALUE} as {@code 1.4E-45}), written into a char
 * array with no String per number. Java 17's {@code Float.toString} (77-90 ns a number here, and a
 * String each) was most of what a JSON response of a large output cost, and on some values it
 * writes more digits than needed.
 *
 * <p>The digits come from Ulf Adams' Ryū method (PLDI 2018) for 32-bit floats: the value's rounding
 * interval scaled by a power of ten with 64-bit multiplications, then digits removed while the
 * interval still holds a shorter decimal. Its two tables of powers of five are computed here with
 * exact arithmetic when the class loads. {@code FloatTextTest} checks round trips and lengths on
 * edge cases and a million random floats; every finite non-negative float (a sign only adds a
 * {@code -}) was once written and read back outside the suite (docs/benchmarks.md).
 */
final class FloatText {
  /** Longest text written: {@code -1.2345678E-38}, and a digit to spare. */
  static final int MAX_CHARS = 16;

  private static final int POW5_INV_BITCOUNT = 59;
  private static final int POW5_BITCOUNT = 61;

  /** {@code floor(2^(bits(5^q) - 1 + 59) / 5^q) + 1}: for dividing by 5^q. */
  private static final long[] POW5_INV_SPLIT = new long[33];

  /** {@code 5^i} scaled to 61 bits: for multiplying by 5^i. */
  private static final long[] POW5_SPLIT = new long[50];

  static {
    for (int q = 0; q < POW5_INV_SPLIT.length; q++) {
      BigInteger pow = BigInteger.valueOf(5).pow(q);
      int j = pow.bitLength() - 1 + POW5_INV_BITCOUNT;
      POW5_INV_SPLIT[q] = BigInteger.ONE.shiftLeft(j).divide(pow).longValueExact() + 1;
    }
    for (int i = 0; i < POW5_SPLIT.length; i++) {
      BigInteger pow = BigInteger.valueOf(5).pow(i);
      int shift = pow.bitLength() - POW5_BITCOUNT;
      POW5_SPLIT[i] = (shift >= 0 ? pow.shiftRight(shift) : pow.shiftLeft(-shift)).longValueExact();
    }
  }

  private FloatText() {}

  /**
   * Writes {@code v}, which must be finite, at {@code out[at]}.
   *
   * @return the index after the last char written; at most {@link #MAX_CHARS} are written
   */
  static int write(float v, char[] out, int at) {
    int bits = Float.floatToRawIntBits(v);
    if (bits < 0) {
      out[at++] = '-';
    }
    int ieeeMantissa = bits & 0x7fffff;
    int ieeeExponent = (bits >>> 23) & 0xff;
    if (ieeeExponent == 0 && ieeeMantissa == 0) {
      out[at] = '0';
      out[at + 1] = '.';
      out[at + 2] = '0';
      return at + 3;
    }
    long decimal = shortest(ieeeMantissa, ieeeExponent);
    return format((int) (decimal >>> 32), (int) decimal, out, at);
  }

  /**
   * The shortest decimal (at least two digits) in the float's rounding interval, closest to it:
   * digits in the high word, the power of ten in the low word.
   */
  private static long shortest(int ieeeMantissa, int ieeeExponent) {
    int e2;
    int m2;
    if (ieeeExponent == 0) {
      e2 = 1 - 127 - 23 - 2;
      m2 = ieeeMantissa;
    } else {
      e2 = ieeeExponent - 127 - 23 - 2;
      m2 = (1 << 23) | ieeeMantissa;
    }
    // The interval is (mm, mp) around mv, all times 2^e2; its ends count when m2 is even, as a
    // reader rounding half to even takes them. At a power of two the lower gap is half as wide.
    boolean acceptBounds = (m2 & 1) == 0;
    int mv = 4 * m2;
    int mp = 4 * m2 + 2;
    int mmShift = (ieeeMantissa != 0 || ieeeExponent <= 1) ? 1 : 0;
    int mm = 4 * m2 - 1 - mmShift;

    int vr;
    int vp;
    int vm;
    int e10;
    boolean vmIsTrailingZeros = false;
    boolean vrIsTrailingZeros = false;
    int lastRemovedDigit = 0;
    if (e2 >= 0) {
      int q = log10Pow2(e2);
      e10 = q;
      int k = POW5_INV_BITCOUNT + pow5bits(q) - 1;
      int i = -e2 + q + k;
      vr = mulShift32(mv, POW5_INV_SPLIT[q], i);
      vp = mulShift32(mp, POW5_INV_SPLIT[q], i);
      vm = mulShift32(mm, POW5_INV_SPLIT[q], i);
      if (q != 0 && (vp - 1) / 10 <= vm / 10) {
        // The digit below vr, needed even if no digit is removed below.
        int l = POW5_INV_BITCOUNT + pow5bits(q - 1) - 1;
        lastRemovedDigit = mulShift32(mv, POW5_INV_SPLIT[q - 1], -e2 + q - 1 + l) % 10;
      }
      if (q <= 9) {
        // Only one of mp, mv and mm can be a multiple of 5, if any.
        if (mv % 5 == 0) {
          vrIsTrailingZeros = multipleOfPowerOf5(mv, q);
        } else if (acceptBounds) {
          vmIsTrailingZeros = multipleOfPowerOf5(mm, q);
        } else if (multipleOfPowerOf5(mp, q)) {
          vp--;
        }
      }
    } else {
      int q = log10Pow5(-e2);
      e10 = q + e2;
      int i = -e2 - q;
      int k = pow5bits(i) - POW5_BITCOUNT;
      int j = q - k;
      vr = mulShift32(mv, POW5_SPLIT[i], j);
      vp = mulShift32(mp, POW5_SPLIT[i], j);
      vm = mulShift32(mm, POW5_SPLIT[i], j);
      if (q != 0 && (vp - 1) / 10 <= vm / 10) {
        j = q - 1 - (pow5bits(i + 1) - POW5_BITCOUNT);
        lastRemovedDigit = mulShift32(mv, POW5_SPLIT[i + 1], j) % 10;
      }
      if (q <= 1) {
        // mv = 4 * m2 has at least two trailing zero bits, mp at least one.
        vrIsTrailingZeros = true;
        if (acceptBounds) {
          vmIsTrailingZeros = mmShift == 1;
        } else {
          vp--;
        }
      } else if (q < 31) {
        vrIsTrailingZeros = (mv & ((1 << (q - 1)) - 1)) == 0;
      }
    }

    // Remove digits while the interval still holds a shorter decimal, keeping two: the interval
    // is then at least ten units wide around the value, so rounding vr stays inside it.
    int removed = 0;
    int output;
    if (vmIsTrailingZeros || vrIsTrailingZeros) {
      // Exact ends or an exact value (rare): ties round half to even.
      while (vp / 10 > vm / 10 && vr >= 100) {
        vmIsTrailingZeros &= vm % 10 == 0;
        vrIsTrailingZeros &= lastRemovedDigit == 0;
        lastRemovedDigit = vr % 10;
        vr /= 10;
        vp /= 10;
        vm /= 10;
        removed++;
      }
      if (vmIsTrailingZeros) {
        while (vm % 10 == 0 && vr >= 100) {
          vrIsTrailingZeros &= lastRemovedDigit == 0;
          lastRemovedDigit = vr % 10;
          vr /= 10;
          vp /= 10;
          vm /= 10;
          removed++;
        }
      }
      if (vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0) {
        lastRemovedDigit = 4;
      }
      boolean up = (vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5;
      output = vr + (up ? 1 : 0);
    } else {
      while (vp / 10 > vm / 10 && vr >= 100) {
        lastRemovedDigit = vr % 10;
        vr /= 10;
        vp /= 10;
        vm /= 10;
        removed++;
      }
      output = vr + ((vr == vm || lastRemovedDigit >= 5) ? 1 : 0);
    }
    return ((long) output << 32) | ((e10 + removed) & 0xffffffffL);
  }

  /** Writes {@code digits x 10^exp} as Float.toString lays it out, without trailing zeros. */
  private static int format(int digits, int exp, char[] out, int at) {
    while (digits >= 10 && digits % 10 == 0) {
      digits /= 10;
      exp++;
    }
    int n = decimalLength(digits);
    int sci = n - 1 + exp; // the value is d.ddd x 10^sci
    if (sci >= 0 && sci < 7) {
      int intDigits = sci + 1;
      if (n <= intDigits) {
        at = putDigits(digits, n, n, out, at);
        for (int z = n; z < intDigits; z++) {
          out[at++] = '0';
        }
        out[at++] = '.';
        out[at++] = '0';
        return at;
      }
      return putDigits(digits, n, intDigits, out, at);
    }
    if (sci < 0 && sci >= -3) {
      out[at++] = '0';
      out[at++] = '.';
      for (int z = -1; z > sci; z--) {
        out[at++] = '0';
      }
      return putDigits(digits, n, n, out, at);
    }
    // d.ddddEsci
    if (n == 1) {
      out[at++] = (char) ('0' + digits);
      out[at++] = '.';
      out[at++] = '0';
    } else {
      at = putDigits(digits, n, 1, out, at);
    }
    out[at++] = 'E';
    if (sci < 0) {
      out[at++] = '-';
      sci = -sci;
    }
    if (sci >= 10) {
      out[at++] = (char) ('0' + sci / 10);
    }
    out[at++] = (char) ('0' + sci % 10);
    return at;
  }

  /**
   * Writes the {@code n} digits of {@code digits}, with a point after the first {@code point} of
   * them when {@code point < n}, two digits a step from the last.
   */
  private static int putDigits(int digits, int n, int point, char[] out, int at) {
    int end = at + n + (point < n ? 1 : 0);
    int i = n; // digits left to write; the next one written is digit i - 1
    int pos = end;
    while (i >= 2) {
      int two = digits % 100;
      digits /= 100;
      pos = putDigit(out, pos, i - 1, point, (char) ('0' + two % 10));
      pos = putDigit(out, pos, i - 2, point, (char) ('0' + two / 10));
      i -= 2;
    }
    if (i == 1) {
      putDigit(out, pos, 0, point, (char) ('0' + digits));
    }
    return end;
  }

  /** Puts digit number {@code index} before {@code pos}, and the point before it where it goes. */
  private static int putDigit(char[] out, int pos, int index, int point, char digit) {
    out[--pos] = digit;
    if (index == point) {
      out[--pos] = '.';
    }
    return pos;
  }

  private static int decimalLength(int v) {
    if (v >= 100_000_000) {
      return v >= 1_000_000_000 ? 10 : 9;
    }
    if (v >= 10_000) {
      return v >= 10_000_000 ? 8 : v >= 1_000_000 ? 7 : v >= 100_000 ? 6 : 5;
    }
    return v >= 1_000 ? 4 : v >= 100 ? 3 : v >= 10 ? 2 : 1;
  }

  /** {@code (m * factor) >> shift} for m below 2^29, factor below 2^63 and shift above 32. */
  private static int mulShift32(int m, long factor, int shift) {
    long factorLo = factor & 0xffffffffL;
    long factorHi = factor >>> 32;
    long bits0 = m * factorLo;
    long bits1 = m * factorHi;
    long sum = (bits0 >>> 32) + bits1;
    return (int) (sum >>> (shift - 32));
  }

  /** Bits of 5^e: {@code ceil(log2(5^e))}, 1 for e = 0 (exact for e up to 3528). */
  private static int pow5bits(int e) {
    return ((e * 1217359) >>> 19) + 1;
  }

  /** {@code floor(log10(2^e))} for e in 0..1650. */
  private static int log10Pow2(int e) {
    return (e * 78913) >>> 18;
  }

  /** {@code floor(log10(5^e))} for e in 0..2620. */
  private static int log10Pow5(int e) {
    return (e * 732923) >>> 20;
  }

  private static boolean multipleOfPowerOf5(int value, int p) {
    int count = 0;
    while (value > 0 && value % 5 == 0) {
      value /= 5;
      count++;
    }
    return count >= p;
  }
}
