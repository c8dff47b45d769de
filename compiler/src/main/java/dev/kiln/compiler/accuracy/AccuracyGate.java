package dev.kiln.compiler.accuracy;

import dev.kiln.compiler.ort.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Judges a reduced-precision model's outputs against the fp32 source's, sample by sample. The
 * samples must be held out: never the ones calibration saw, or the gate measures how well the
 * quantizer memorised its inputs rather than how it generalises.
 *
 * <p>Every output gets SQNR and relative error. An output is also <b>classifier-shaped</b> when it
 * is float, of rank 1 or 2, and its last dim has at least 2 entries: each row (the last dim) is one
 * prediction, and top-1 agreement is the share of rows whose arg-max is the same in both models. A
 * row where fp32 itself is undecided is a <b>tie</b> and is not judged: its top-2 margin is at most
 * {@value #TIE_MARGIN_IN_NOISE_RMS} times the output's RMS quantization noise, so no reduced
 * precision could be expected to call it the same way (randomly initialised classifiers are all
 * ties). Ties are counted in the figures; when every row is a tie, top-1 is not judged at all.
 * Feature maps (rank 3 and up) and scalars are judged on SQNR and relative error only.
 */
public final class AccuracyGate {
  /** A row is a tie when fp32's top-2 margin is at most this many RMS noise units. */
  public static final double TIE_MARGIN_IN_NOISE_RMS = 2.0;

  private final GateThresholds thresholds;

  public AccuracyGate(GateThresholds thresholds) {
    this.thresholds = thresholds;
  }

  /**
   * @param fp32 the source's outputs, one map per held-out sample
   * @param reduced the reduced model's outputs on the same samples, in the same order
   */
  public GateResult judge(
      List<Map<String, HostTensor>> fp32, List<Map<String, HostTensor>> reduced) {
    if (fp32.isEmpty() || fp32.size() != reduced.size()) {
      throw new IllegalArgumentException(
          "the gate needs the same non-zero number of samples from both models, got "
              + fp32.size()
              + " and "
              + reduced.size());
    }
    Map<String, Accumulator> perOutput = new LinkedHashMap<>();
    for (int s = 0; s < fp32.size(); s++) {
      for (Map.Entry<String, HostTensor> e : fp32.get(s).entrySet()) {
        HostTensor got = reduced.get(s).get(e.getKey());
        if (got == null || got.size() != e.getValue().size()) {
          throw new IllegalArgumentException(
              "the reduced model's output '" + e.getKey() + "' is missing or has another size");
        }
        perOutput.computeIfAbsent(e.getKey(), k -> new Accumulator()).add(e.getValue(), got);
      }
    }
    List<OutputFigures> outputs = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    perOutput.forEach((name, acc) -> outputs.add(acc.figures(name, thresholds, failures)));
    return new GateResult(
        failures.isEmpty(), outputs, fp32.size(), thresholds, failures, List.of());
  }

  /** See the class comment for the rule. */
  public static boolean isClassifier(HostTensor t) {
    return t.values() instanceof float[]
        && (t.shape().length == 1 || t.shape().length == 2)
        && t.shape()[t.shape().length - 1] >= 2;
  }

  /** 10 log10(signal / noise); +Infinity when there is no noise at all. */
  public static double sqnrDb(double signalEnergy, double noiseEnergy) {
    if (noiseEnergy == 0) {
      return Double.POSITIVE_INFINITY;
    }
    if (signalEnergy == 0 || Double.isNaN(noiseEnergy)) {
      return Double.NEGATIVE_INFINITY;
    }
    return 10 * Math.log10(signalEnergy / noiseEnergy);
  }

  static String formatDb(double db) {
    return Double.isInfinite(db) ? (db > 0 ? "inf dB" : "-inf dB") : String.format("%.1f dB", db);
  }

  /** Sums over samples for one output. */
  private static final class Accumulator {
    private double signal;
    private double noise;
    private double worstRelative;
    private double maxAbs;
    private boolean classifier = true;
    private long elements;
    private final List<double[]> rowMarginAndAgreement = new ArrayList<>();

    void add(HostTensor want, HostTensor have) {
      double[] a = want.asDoubles();
      double[] b = have.asDoubles();
      double s = 0;
      double n = 0;
      for (int i = 0; i < a.length; i++) {
        double d = b[i] - a[i];
        if (Double.isNaN(d)) {
          d = Double.POSITIVE_INFINITY;
        }
        s += a[i] * a[i];
        n += d * d;
        elements++;
        maxAbs = Math.max(maxAbs, Math.abs(d));
      }
      signal += s;
      noise += n;
      double relative = n == 0 ? 0 : s == 0 ? Double.POSITIVE_INFINITY : Math.sqrt(n / s);
      worstRelative = Math.max(worstRelative, relative);
      classifier &= isClassifier(want);
      if (classifier) {
        int width = (int) want.shape()[want.shape().length - 1];
        for (int row = 0; row < a.length / width; row++) {
          int from = row * width;
          boolean agrees = argMax(a, from, width) == argMax(b, from, width);
          rowMarginAndAgreement.add(new double[] {margin(a, from, width), agrees ? 1 : 0});
        }
      }
    }

    OutputFigures figures(String name, GateThresholds t, List<String> failures) {
      double noiseRms = elements == 0 ? 0 : Math.sqrt(noise / elements);
      int rows = 0;
      int agreeing = 0;
      int ties = 0;
      if (classifier) {
        for (double[] r : rowMarginAndAgreement) {
          if (r[0] <= TIE_MARGIN_IN_NOISE_RMS * noiseRms) {
            ties++;
          } else {
            rows++;
            agreeing += (int) r[1];
          }
        }
      }
      Double top1 = classifier && rows > 0 ? (double) agreeing / rows : null;
      double sqnr = sqnrDb(signal, noise);
      boolean passed = true;
      if (top1 != null && top1 < t.minTop1Agreement()) {
        passed = false;
        failures.add(
            String.format(
                "output '%s': top-1 agreement %.1f%% (%d of %d) is below %.1f%%",
                name, 100 * top1, agreeing, rows, 100 * t.minTop1Agreement()));
      }
      if (!(sqnr >= t.minSqnrDb())) {
        passed = false;
        failures.add(
            String.format(
                "output '%s': SQNR %s is below %.1f dB", name, formatDb(sqnr), t.minSqnrDb()));
      }
      if (!(worstRelative <= t.maxRelativeError())) {
        passed = false;
        failures.add(
            String.format(
                "output '%s': relative error %.3g on the worst sample is above %.3g",
                name, worstRelative, t.maxRelativeError()));
      }
      return new OutputFigures(name, top1, ties, worstRelative, maxAbs, sqnr, passed);
    }

    /** Top-1 minus top-2 of one row. */
    private static double margin(double[] v, int from, int width) {
      double first = Double.NEGATIVE_INFINITY;
      double second = Double.NEGATIVE_INFINITY;
      for (int i = from; i < from + width; i++) {
        if (v[i] > first) {
          second = first;
          first = v[i];
        } else if (v[i] > second) {
          second = v[i];
        }
      }
      return first - second;
    }

    private static int argMax(double[] v, int from, int width) {
      int best = from;
      for (int i = from + 1; i < from + width; i++) {
        if (v[i] > v[best]) {
          best = i;
        }
      }
      return best - from;
    }
  }
}
