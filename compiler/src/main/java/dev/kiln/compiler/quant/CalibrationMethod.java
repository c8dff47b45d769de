package dev.kiln.compiler.quant;

import java.util.Locale;

/**
 * How a tensor's calibrated values become its quantization range.
 *
 * @param percentile for {@link Kind#PERCENTILE}: the share of |x| values, in percent, the range
 *     keeps (e.g. 99.99); NaN otherwise
 */
public record CalibrationMethod(Kind kind, double percentile) {
  /** The calibration rules, as {@code --calibration-method} names them. */
  public enum Kind {
    /** The smallest and largest value seen. */
    MINMAX,
    /** The range clipped at a percentile of |x|, so rare outliers do not widen it. */
    PERCENTILE
  }

  public static final double DEFAULT_PERCENTILE = 99.99;

  public static final CalibrationMethod MINMAX = new CalibrationMethod(Kind.MINMAX, Double.NaN);

  public static final CalibrationMethod PERCENTILE = percentile(DEFAULT_PERCENTILE);

  public CalibrationMethod {
    if (kind == Kind.PERCENTILE && !(percentile > 0 && percentile <= 100)) {
      throw new IllegalArgumentException(
          "the calibration percentile must be above 0 and at most 100, got " + percentile);
    }
  }

  public static CalibrationMethod percentile(double percent) {
    return new CalibrationMethod(Kind.PERCENTILE, percent);
  }

  /**
   * Parses {@code minmax}, {@code percentile} or {@code percentile:P} (P in percent, e.g. 99.9).
   *
   * @throws IllegalArgumentException naming the allowed spellings
   */
  public static CalibrationMethod parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("minmax")) {
      return MINMAX;
    }
    if (t.equals("percentile")) {
      return PERCENTILE;
    }
    if (t.startsWith("percentile:")) {
      try {
        return percentile(Double.parseDouble(t.substring("percentile:".length())));
      } catch (IllegalArgumentException e) {
        // Not a number, or out of range: reported below with the allowed spellings.
      }
    }
    throw new IllegalArgumentException(
        "--calibration-method must be minmax, percentile or percentile:P (P in percent, above 0"
            + " and at most 100, e.g. percentile:99.9), got '"
            + text
            + "'");
  }

  /** As {@code --calibration-method} spells it, and as the manifest records it. */
  public String spelling() {
    return kind == Kind.MINMAX ? "minmax" : "percentile:" + format(percentile);
  }

  /** In words, for the scheme line: "min-max calibration". */
  public String describe() {
    return kind == Kind.MINMAX
        ? "min-max calibration"
        : "percentile calibration (" + format(percentile) + "% of |x|)";
  }

  /** The share of |x| values (0-1) the percentile range keeps. */
  double keptFraction() {
    return percentile / 100;
  }

  private static String format(double percent) {
    return java.math.BigDecimal.valueOf(percent).stripTrailingZeros().toPlainString();
  }
}
