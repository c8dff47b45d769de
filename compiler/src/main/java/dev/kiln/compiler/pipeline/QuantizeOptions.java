package dev.kiln.compiler.pipeline;

import dev.kiln.compiler.accuracy.GateThresholds;
import dev.kiln.compiler.quant.CalibrationMethod;

/**
 * The quantize part of a compile request.
 *
 * @param thresholds what the accuracy gate demands on held-out samples
 * @param shipSlowerInt8 ship int8 even when it measured slower than fp32 on this host (for size)
 * @param calibration how static int8 turns calibrated values into ranges ({@code
 *     --calibration-method}); dynamic int8 and fp16 calibrate nothing
 */
public record QuantizeOptions(
    QuantizeMode mode,
    GateThresholds thresholds,
    boolean shipSlowerInt8,
    CalibrationMethod calibration) {
  public static final QuantizeOptions NONE =
      new QuantizeOptions(QuantizeMode.NONE, GateThresholds.DEFAULTS, false);

  /** With min-max calibration, the default. */
  public QuantizeOptions(QuantizeMode mode, GateThresholds thresholds, boolean shipSlowerInt8) {
    this(mode, thresholds, shipSlowerInt8, CalibrationMethod.MINMAX);
  }

  public static QuantizeOptions of(QuantizeMode mode) {
    return new QuantizeOptions(mode, GateThresholds.DEFAULTS, false);
  }

  public QuantizeOptions withThresholds(GateThresholds t) {
    return new QuantizeOptions(mode, t, shipSlowerInt8, calibration);
  }

  public QuantizeOptions withShipSlowerInt8(boolean ship) {
    return new QuantizeOptions(mode, thresholds, ship, calibration);
  }

  public QuantizeOptions withCalibration(CalibrationMethod method) {
    return new QuantizeOptions(mode, thresholds, shipSlowerInt8, method);
  }

  public boolean reduces() {
    return mode != QuantizeMode.NONE;
  }
}
