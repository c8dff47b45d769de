package dev.kiln.compiler.calibration;

import dev.kiln.compiler.ort.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mean and spread of each float input over all values of all samples, to tell data prepared
 * differently from a baseline (raw pixels where the model saw normalized ones, another scale). The
 * test is deliberately loose, so data from the same pipeline passes: a mean more than {@value
 * #MAX_MEAN_SHIFT} baseline standard deviations away, or a standard deviation more than {@value
 * #MAX_SPREAD_RATIO} times larger or smaller. Integer inputs (ids, lengths, sample rates) are not
 * compared.
 */
record InputStats(long count, double mean, double std, double min, double max) {
  static final double MAX_MEAN_SHIFT = 3.0;
  static final double MAX_SPREAD_RATIO = 4.0;

  static Map<String, InputStats> of(List<Map<String, HostTensor>> samples) {
    Map<String, double[]> sums = new LinkedHashMap<>(); // count, sum, sum of squares, min, max
    for (Map<String, HostTensor> sample : samples) {
      sample.forEach(
          (name, t) -> {
            if (t.values() instanceof float[] f) {
              double[] s =
                  sums.computeIfAbsent(
                      name, k -> new double[] {0, 0, 0, Double.MAX_VALUE, -Double.MAX_VALUE});
              for (float v : f) {
                if (Float.isFinite(v)) {
                  s[0]++;
                  s[1] += v;
                  s[2] += (double) v * v;
                  s[3] = Math.min(s[3], v);
                  s[4] = Math.max(s[4], v);
                }
              }
            }
          });
    }
    Map<String, InputStats> out = new LinkedHashMap<>();
    sums.forEach(
        (name, s) -> {
          if (s[0] > 0) {
            double mean = s[1] / s[0];
            double var = Math.max(0, s[2] / s[0] - mean * mean);
            out.put(name, new InputStats((long) s[0], mean, Math.sqrt(var), s[3], s[4]));
          }
        });
    return out;
  }

  /** One line per input of both sets whose statistics differ beyond the loose bounds above. */
  static List<String> differences(
      Map<String, InputStats> data, Map<String, InputStats> baseline, String what) {
    List<String> out = new ArrayList<>();
    data.forEach(
        (name, d) -> {
          InputStats b = baseline.get(name);
          if (b == null) {
            return;
          }
          double scale = Math.max(b.std, 1e-6 * Math.max(1, Math.abs(b.mean)));
          double shift = Math.abs(d.mean - b.mean) / scale;
          double ratio = d.std / scale;
          if (shift > MAX_MEAN_SHIFT || ratio > MAX_SPREAD_RATIO || ratio < 1 / MAX_SPREAD_RATIO) {
            out.add(
                String.format(
                    "input '%s' looks unlike %s: mean %.4g vs %.4g, std %.4g vs %.4g, range"
                        + " [%.4g, %.4g] vs [%.4g, %.4g]. If the model expects inputs prepared"
                        + " like the baseline (e.g. normalized pixels), prepare the calibration"
                        + " data the same way.",
                    name, what, d.mean, b.mean, d.std, b.std, d.min, d.max, b.min, b.max));
          }
        });
    return out;
  }
}
