package dev.kiln.compiler.quant;

/**
 * Entropy calibration: the clipping threshold of |x| whose 8-bit version of the calibrated
 * distribution differs least from the distribution itself, by KL divergence (the method TensorRT
 * introduced and ONNX Runtime's quantizer offers). Clipping at t costs the values beyond t; a
 * larger t costs every value below it resolution. Min-max ignores the second cost, a fixed
 * percentile the first.
 *
 * <p>For each candidate t (a bin edge from {@link #LEVELS} bins up to the whole histogram), the
 * reference P is the histogram up to t with everything beyond folded into its last bin; the
 * candidate Q merges the histogram's bins up to t (without what lies beyond) into {@link #LEVELS}
 * levels and spreads each level's count back over the bins P holds values in. The t with the
 * smallest KL(P || Q) wins.
 */
final class EntropyThreshold {
  /** Levels of |x| an 8-bit activation has on one side of zero. */
  static final int LEVELS = 128;

  private EntropyThreshold() {}

  /**
   * @param histogram the histogram of |x|: {@code histogram[i]} values in [i, i + 1) x binWidth
   * @return the threshold; the histogram's top when it has too few bins to choose from
   */
  static double of(long[] histogram, double binWidth) {
    // The first bin is left out: after a ReLU it holds half the values, all exactly 0, which any
    // range represents exactly (0 is a uint8 level). Kept in, its spike dominates the divergence
    // of every wide level that merges it, and pulls the threshold far below the bulk's top.
    long[] counts = histogram.clone();
    counts[0] = 0;
    int used = counts.length;
    while (used > 0 && counts[used - 1] == 0) {
      used--;
    }
    if (used <= LEVELS || binWidth == 0) {
      return used * binWidth;
    }
    double[] suffix = new double[used + 1];
    for (int i = used - 1; i >= 0; i--) {
      suffix[i] = suffix[i + 1] + counts[i];
    }
    int best = used;
    double bestKl = Double.POSITIVE_INFINITY;
    for (int bins = LEVELS; bins <= used; bins++) {
      double kl = divergence(counts, bins, suffix[bins]);
      if (kl < bestKl) {
        bestKl = kl;
        best = bins;
      }
    }
    return best * binWidth;
  }

  /** KL(P || Q) for the first {@code bins} bins, {@code beyond} values folded into the last. */
  private static double divergence(long[] counts, int bins, double beyond) {
    double[] p = new double[bins];
    for (int i = 0; i < bins; i++) {
      p[i] = counts[i];
    }
    p[bins - 1] += beyond;
    // Q is the clipped histogram alone, at 8 bits: the values beyond t are what clipping loses,
    // so P's last bin holds them and Q's does not.
    double[] q = new double[bins];
    for (int level = 0; level < LEVELS; level++) {
      int from = (int) ((long) level * bins / LEVELS);
      int to = (int) ((long) (level + 1) * bins / LEVELS);
      double total = 0;
      int nonZero = 0;
      for (int i = from; i < to; i++) {
        total += counts[i];
        if (p[i] != 0) {
          nonZero++;
        }
      }
      for (int i = from; i < to; i++) {
        q[i] = p[i] != 0 ? total / nonZero : 0;
      }
    }
    double pSum = 0;
    double qSum = 0;
    for (int i = 0; i < bins; i++) {
      pSum += p[i];
      qSum += q[i];
    }
    double kl = 0;
    for (int i = 0; i < bins; i++) {
      if (p[i] == 0) {
        continue;
      }
      double pi = p[i] / pSum;
      // A level with values only beyond t has nothing left at 8 bits: as good as infinite.
      double qi = Math.max(q[i] / qSum, 1e-12);
      kl += pi * Math.log(pi / qi);
    }
    return kl;
  }
}
