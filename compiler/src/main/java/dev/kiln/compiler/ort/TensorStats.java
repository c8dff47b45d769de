package dev.kiln.compiler.ort;

/**
 * Running statistics of one float tensor over calibration samples: min, max and a histogram of |x|.
 * Memory is fixed ({@link #BINS} counters) however many samples stream through.
 *
 * <p>The histogram covers [0, binWidth * BINS). When a value falls beyond it, the width doubles and
 * neighbouring bins merge, which is exact, so no sample is ever revisited.
 */
public final class TensorStats {
  static final int BINS = 2048;

  private float min = Float.POSITIVE_INFINITY;
  private float max = Float.NEGATIVE_INFINITY;
  private final long[] counts = new long[BINS];
  private double binWidth = 0;
  private long total;

  void add(float[] values) {
    for (float v : values) {
      // NaN and infinities have no quantized value; counting them would also widen forever.
      if (!Float.isFinite(v)) {
        continue;
      }
      min = Math.min(min, v);
      max = Math.max(max, v);
      double a = Math.abs(v);
      if (binWidth == 0 && a > 0) {
        binWidth = a / (BINS / 2.0);
      }
      while (binWidth > 0 && a >= binWidth * BINS) {
        widen();
      }
      int bin = binWidth == 0 ? 0 : (int) (a / binWidth);
      counts[bin]++;
      total++;
    }
  }

  private void widen() {
    for (int i = 0; i < BINS / 2; i++) {
      counts[i] = counts[2 * i] + counts[2 * i + 1];
    }
    for (int i = BINS / 2; i < BINS; i++) {
      counts[i] = 0;
    }
    binWidth *= 2;
  }

  public float min() {
    return total == 0 ? 0 : min;
  }

  public float max() {
    return total == 0 ? 0 : max;
  }

  /**
   * The smallest t with at least {@code fraction} of the values having |x| <= t (bin upper edge).
   */
  public float absPercentile(double fraction) {
    if (total == 0 || binWidth == 0) {
      return 0;
    }
    long wanted = (long) Math.ceil(fraction * total);
    long seen = 0;
    for (int i = 0; i < BINS; i++) {
      seen += counts[i];
      if (seen >= wanted) {
        return (float) Math.min((i + 1) * binWidth, Math.max(Math.abs(min), Math.abs(max)));
      }
    }
    return Math.max(Math.abs(min), Math.abs(max));
  }
}
