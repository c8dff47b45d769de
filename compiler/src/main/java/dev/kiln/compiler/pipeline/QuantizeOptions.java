package dev.kiln.compiler.pipeline;

import dev.kiln.compiler.accuracy.GateThresholds;

/**
 * The quantize part of a compile request.
 *
 * @param thresholds what the accuracy gate demands on held-out samples
 * @param shipSlowerInt8 ship int8 even when it measured slower than fp32 on this host (for size)
 */
public record QuantizeOptions(
    QuantizeMode mode, GateThresholds thresholds, boolean shipSlowerInt8) {
  public static final QuantizeOptions NONE =
      new QuantizeOptions(QuantizeMode.NONE, GateThresholds.DEFAULTS, false);

  public static QuantizeOptions of(QuantizeMode mode) {
    return new QuantizeOptions(mode, GateThresholds.DEFAULTS, false);
  }

  public QuantizeOptions withThresholds(GateThresholds t) {
    return new QuantizeOptions(mode, t, shipSlowerInt8);
  }

  public QuantizeOptions withShipSlowerInt8(boolean ship) {
    return new QuantizeOptions(mode, thresholds, ship);
  }

  public boolean reduces() {
    return mode != QuantizeMode.NONE;
  }
}
