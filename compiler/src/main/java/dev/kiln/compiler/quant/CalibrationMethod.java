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
    PERCENTILE,
    /**
     * The range clipped where the int8 distribution of |x| loses least information (smallest KL
     * divergence from the calibrated one), see {@link EntropyThreshold}.
     */
    ENTROPY
  }

  public static final double DEFAULT_PERCENTILE = 99.99;

  public static final CalibrationMethod MINMAX = new CalibrationMethod(Kind.MINMAX, Double.NaN);

  public static final CalibrationMethod PERCENTILE = percentile(DEFAULT_PERCENTILE);

  public static final CalibrationMethod ENTROPY = new CalibrationMethod(Kind.ENTROPY, Double.NaN);

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
    if (t.equals("entropy")) {
      return ENTROPY;
    }
    if (t.startsWith("percentile:")) {
      try {
        return percentile(Double.parseDouble(t.substring("percentile:".length())));
      } catch (IllegalArgumentException e) {
        // Not a number, or out of range: reported below with the allowed spellings.
      }
    }
    throw new IllegalArgumentException(
        "--calibration-method must be minmax, percentile, percentile:P (P in percent, above 0"
            + " and at most 100, e.g. percentile:99.9) or entropy, got '"
            + text
            + "'");
  }

  /** As {@code --calibration-method} spells it, and as the manifest records it. */
  public String spelling() {
    return switch (kind) {
      case MINMAX -> "minmax";
      case PERCENTILE -> "percentile:" + format(percentile);
      case ENTROPY -> "entropy";
    };
  }

  /** In words, for the scheme line: "min-max calibration". */
  public String describe() {
    return switch (kind) {
      case MINMAX -> "min-max calibration";
      case PERCENTILE -> "percentile calibration (" + format(percentile) + "% of |x|)";
      case ENTROPY -> "entropy calibration (KL divergence)";
    };
  }

  /** The share of |x| values (0-1) the percentile range keeps. */
  double keptFraction() {
    return percentile / 100;
  }

  private static String format(double percent) {
    return java.math.BigDecimal.valueOf(percent).stripTrailingZeros().toPlainString();
  }
}
