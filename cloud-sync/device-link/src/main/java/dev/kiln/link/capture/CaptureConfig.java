package dev.kiln.link.capture;

import dev.kiln.link.LinkErrorCode;
import dev.kiln.link.LinkException;

/**
 * Per-deployment capture settings.
 *
 * @param samplePercent share of inferences captured, 0 (off) to 100 (all)
 * @param maxPayloadBytes cap on a record's raw tensor bytes; a larger record keeps its metadata,
 *     dtypes and shapes but not its tensor data, and is marked truncated
 */
public record CaptureConfig(double samplePercent, CaptureMode mode, int maxPayloadBytes) {
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;

  public CaptureConfig {
    if (!(samplePercent >= 0 && samplePercent <= 100)) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID,
          "capture samplePercent must be within 0..100, got " + samplePercent);
    }
    if (mode == null) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID, "capture mode must be one of inputs, outputs, both");
    }
    if (maxPayloadBytes < 0) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID,
          "capture maxPayloadBytes must be >= 0, got " + maxPayloadBytes);
    }
  }

  public static CaptureConfig all() {
    return new CaptureConfig(100, CaptureMode.BOTH, DEFAULT_MAX_PAYLOAD_BYTES);
  }

  public static CaptureConfig off() {
    return new CaptureConfig(0, CaptureMode.BOTH, DEFAULT_MAX_PAYLOAD_BYTES);
  }

  /** Parses a mode as written in deployment files: inputs, outputs or both (any case). */
  public static CaptureMode parseMode(String s) {
    for (CaptureMode m : CaptureMode.values()) {
      if (m.name().equalsIgnoreCase(s)) {
        return m;
      }
    }
    throw new LinkException(
        LinkErrorCode.CONFIG_INVALID,
        "capture mode '" + s + "' is not valid; use inputs, outputs or both");
  }
}
