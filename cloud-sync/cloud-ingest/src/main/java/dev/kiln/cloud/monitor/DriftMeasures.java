package dev.kiln.cloud.monitor;

/**
 * The drift measures, over counts of the same bins in the baseline ({@code expected}) and in the
 * window ({@code actual}).
 */
final class DriftMeasures {
  /** Floor on a bin's share, so an empty bin gives a large finite PSI term, not infinity. */
  static final double MIN_SHARE = 1e-4;

  private DriftMeasures() {}

  /** Population stability index: sum of (a - e) ln(a / e) over bin shares. */
  static double psi(long[] expected, long[] actual) {
    double ne = sum(expected);
    double na = sum(actual);
    double psi = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = Math.max(expected[i] / ne, MIN_SHARE);
      double a = Math.max(actual[i] / na, MIN_SHARE);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }

  /** Jensen-Shannon distance: the square root of the JS divergence in bits, 0 to 1. */
  static double jsDistance(long[] expected, long[] actual) {
    double ne = sum(expected);
    double na = sum(actual);
    double div = 0;
    for (int i = 0; i < expected.length; i++) {
      double p = expected[i] / ne;
      double q = actual[i] / na;
      double m = (p + q) / 2;
      div += half(p, m) + half(q, m);
    }
    return Math.sqrt(Math.max(0, div / 2));
  }

  private static double half(double p, double m) {
    return p == 0 ? 0 : p * Math.log(p / m) / Math.log(2);
  }

  /**
   * Kolmogorov-Smirnov D from binned counts: the largest gap between the two cumulative shares at
   * the bin edges. The true D (between the bin edges) can only be larger, so this never overstates
   * drift; with percentile bins it is within about one percentile of the true value.
   */
  static double ksD(long[] expected, long[] actual) {
    double ne = sum(expected);
    double na = sum(actual);
    double ce = 0;
    double ca = 0;
    double d = 0;
    for (int i = 0; i < expected.length; i++) {
      ce += expected[i];
      ca += actual[i];
      d = Math.max(d, Math.abs(ce / ne - ca / na));
    }
    return d;
  }

  /**
   * The asymptotic two-sample KS p-value for D with samples of n and m (Stephens' correction for
   * finite samples).
   */
  static double ksPValue(double d, long n, long m) {
    if (n == 0 || m == 0) {
      return 1;
    }
    double en = Math.sqrt((double) n * m / (n + m));
    double lambda = (en + 0.12 + 0.11 / en) * d;
    if (lambda < 0.2) {
      return 1;
    }
    double p = 0;
    for (int k = 1; k <= 100; k++) {
      double term = Math.exp(-2 * k * k * lambda * lambda);
      p += (k % 2 == 1 ? 2 : -2) * term;
      if (term < 1e-12) {
        break;
      }
    }
    return Math.min(1, Math.max(0, p));
  }

  /** The largest change in one bin's share (for classes: in one class's share of predictions). */
  static double maxShareChange(long[] expected, long[] actual) {
    double ne = sum(expected);
    double na = sum(actual);
    double d = 0;
    for (int i = 0; i < expected.length; i++) {
      d = Math.max(d, Math.abs(expected[i] / ne - actual[i] / na));
    }
    return d;
  }

  static double sum(long[] counts) {
    double s = 0;
    for (long c : counts) {
      s += c;
    }
    return s;
  }
}
