package dev.kiln.compiler.accuracy;

/**
 * What a reduced-precision model must achieve against the fp32 source on held-out samples.
 *
 * <p>Defaults, and why:
 *
 * <ul>
 *   <li>top-1 agreement at least 0.99: a classifier may change its answer on at most 1 input in 100
 *       (the figure); on fewer than 100 held-out samples this means on none.
 *   <li>SQNR at least 20 dB for every output: the noise energy quantization adds is at most 1% of
 *       the signal's (an error of 10% in RMS terms), which good int8 models clear with room (25-40
 *       dB) and a broken calibration misses by far.
 *   <li>worst-sample relative error at most 0.25: SQNR averages over all samples; this bounds the
 *       single worst one, so one input that quantization wrecks cannot hide among good ones.
 * </ul>
 */
public record GateThresholds(double minTop1Agreement, double maxRelativeError, double minSqnrDb) {
  public static final GateThresholds DEFAULTS = new GateThresholds(0.99, 0.25, 20.0);

  public GateThresholds {
    if (minTop1Agreement < 0 || minTop1Agreement > 1) {
      throw new IllegalArgumentException(
          "minimum top-1 agreement must be within 0..1, got " + minTop1Agreement);
    }
    if (!(maxRelativeError > 0)) {
      throw new IllegalArgumentException(
          "maximum relative error must be above 0, got " + maxRelativeError);
    }
  }

  public GateThresholds withMinTop1Agreement(double v) {
    return new GateThresholds(v, maxRelativeError, minSqnrDb);
  }

  public GateThresholds withMinSqnrDb(double v) {
    return new GateThresholds(minTop1Agreement, maxRelativeError, v);
  }

  public GateThresholds withMaxRelativeError(double v) {
    return new GateThresholds(minTop1Agreement, v, minSqnrDb);
  }
}
