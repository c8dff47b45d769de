package dev.kiln.artifact;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * {@code sample.json}: inputs the compiler fed both models and the source model's outputs. A device
 * replays it before a new version takes traffic.
 *
 * <p>How far a replayed value may be from the recorded one depends on {@code toleranceScale}:
 *
 * <ul>
 *   <li>{@value #OUTPUT_MAX}: {@code |actual - expected| <= tolerance * max|expected|}, the largest
 *       magnitude among that output's recorded values (1 when they are all zero). The allowance
 *       follows each output's own scale, so drift shows on a model whose outputs are 1e-9 as
 *       clearly as on one whose outputs are logits. The compiler writes this for the artifacts it
 *       makes now.
 *   <li>absent (artifacts written before): {@code |actual - expected| <= tolerance + tolerance *
 *       |expected|}, numpy's allclose with rtol = atol = tolerance. Its absolute part cannot see
 *       outputs far smaller than the tolerance. Kept as it was, so an agent judges an old artifact
 *       as it always did, and an older agent, which ignores the field, judges a new one by this
 *       more lenient rule.
 * </ul>
 *
 * @param toleranceScale {@value #OUTPUT_MAX}, or null for the absolute rule
 */
public record VerificationSample(
    Map<String, TensorData> inputs,
    Map<String, TensorData> outputs,
    double tolerance,
    // Absent, not null, for the absolute rule: such a sample's bytes stay what they always were.
    @JsonInclude(JsonInclude.Include.NON_NULL) String toleranceScale) {

  /** {@code toleranceScale} of a tolerance relative to each output's largest magnitude. */
  public static final String OUTPUT_MAX = "output-max";

  /** A sample judged by the absolute rule (artifacts before {@link #OUTPUT_MAX}). */
  public VerificationSample(
      Map<String, TensorData> inputs, Map<String, TensorData> outputs, double tolerance) {
    this(inputs, outputs, tolerance, null);
  }

  /** A sample whose tolerance is relative to each output's largest magnitude. */
  public static VerificationSample relativeToOutputMax(
      Map<String, TensorData> inputs, Map<String, TensorData> outputs, double tolerance) {
    return new VerificationSample(inputs, outputs, tolerance, OUTPUT_MAX);
  }

  /**
   * How one recorded output is judged: {@link Rule#allows} says whether a replayed value is close
   * enough to the recorded one.
   *
   * @param tolerance the sample's tolerance, already defaulted
   * @param expected that output's recorded values
   */
  public Rule rule(double tolerance, double[] expected) {
    if (!OUTPUT_MAX.equals(toleranceScale)) {
      return new Rule(tolerance, tolerance);
    }
    return new Rule(tolerance * outputScale(expected), 0);
  }

  /**
   * What an {@link #OUTPUT_MAX} tolerance is a share of: the largest magnitude among an output's
   * values (NaN skipped), or 1 when none is above zero. The compiler's verification and its
   * reduced-precision tolerance use the same scale.
   */
  public static double outputScale(double[] values) {
    double largest = 0;
    for (double v : values) {
      if (Math.abs(v) > largest) {
        largest = Math.abs(v);
      }
    }
    return largest > 0 ? largest : 1;
  }

  /**
   * {@code |actual - expected| <= absolute + relative * |expected|}; NaN is never close.
   *
   * @param absolute the allowance every value has
   * @param relative the allowance per unit of the expected value's magnitude
   */
  public record Rule(double absolute, double relative) {
    public boolean allows(double actual, double expected) {
      return Math.abs(actual - expected) <= absolute + relative * Math.abs(expected);
    }

    /** For messages: the allowance as a person reads it. */
    public String describe() {
      return relative == 0
          ? String.format("|actual - expected| <= %.3g", absolute)
          : String.format("|actual - expected| <= %.3g + %.3g * |expected|", absolute, relative);
    }
  }
}
