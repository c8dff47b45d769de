package dev.kiln.compiler.quant;

/**
 * The affine map of one activation tensor: real = scale * (q - zeroPoint).
 *
 * @param zeroPoint in the activation type's own range (0..255 or -128..127)
 */
record QuantParams(float scale, int zeroPoint) {

  /**
   * Asymmetric params covering [min, max] widened to include 0, so zero (padding, Relu's floor) is
   * exact. With min = 0 the zero point is the type's lowest value, so QuantizeLinear itself clamps
   * negatives: that is what lets a folded Relu disappear.
   */
  static QuantParams forRange(float min, float max, ActivationType type) {
    double lo = Math.min(min, 0);
    double hi = Math.max(max, 0);
    int qmin = type == ActivationType.UINT8 ? 0 : -128;
    int qmax = type == ActivationType.UINT8 ? 255 : 127;
    double scale = (hi - lo) / (qmax - qmin);
    if (!(scale > 0) || Float.isInfinite((float) scale)) {
      return new QuantParams(1f, type == ActivationType.UINT8 ? 0 : 0);
    }
    long zp = Math.round(qmin - lo / scale);
    return new QuantParams((float) scale, (int) Math.max(qmin, Math.min(qmax, zp)));
  }

  /** Quantizes a constant with these params (for constant operands of Add, Mul, Concat). */
  byte[] quantize(float[] values, ActivationType type) {
    int qmin = type == ActivationType.UINT8 ? 0 : -128;
    int qmax = type == ActivationType.UINT8 ? 255 : 127;
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      long q = (long) Math.rint(values[i] / scale) + zeroPoint;
      out[i] = (byte) Math.max(qmin, Math.min(qmax, q));
    }
    return out;
  }
}
