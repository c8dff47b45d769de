package dev.kiln.compiler.quant;

/** How a tensor's calibrated values become its quantization range. */
public enum CalibrationMethod {
  /** The smallest and largest value seen. */
  MINMAX,
  /** The range clipped at the 99.99th percentile of |x|, so rare outliers do not widen it. */
  PERCENTILE
}
