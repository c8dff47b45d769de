package dev.kiln.link.capture;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.util.List;

/**
 * Per-deployment capture settings.
 *
 * @param samplePercent share of inferences captured, 0 (off) to 100 (all)
 * @param maxPayloadBytes cap on a record's raw tensor bytes; a larger record keeps its metadata,
 *     dtypes and shapes but not its tensor data, and is marked truncated
 * @param durability whether the caller waits until the record is on disk ({@link CaptureRecorder})
 */
public record CaptureConfig(
    double samplePercent, CaptureMode mode, int maxPayloadBytes, CaptureDurability durability) {
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
    if (durability == null) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID, "capture durability must be one of async, sync");
    }
  }

  /** ASYNC durability: the caller never waits for the disk. */
  public CaptureConfig(double samplePercent, CaptureMode mode, int maxPayloadBytes) {
    this(samplePercent, mode, maxPayloadBytes, CaptureDurability.ASYNC);
  }

  public CaptureConfig withDurability(CaptureDurability d) {
    return new CaptureConfig(samplePercent, mode, maxPayloadBytes, d);
  }

  /** Parses a durability as written in config files: async or sync (any case). */
  public static CaptureDurability parseDurability(String s) {
    for (CaptureDurability d : CaptureDurability.values()) {
      if (d.name().equalsIgnoreCase(s)) {
        return d;
      }
    }
    throw new LinkException(
        LinkErrorCode.CONFIG_INVALID,
        "capture durability '" + s + "' is not valid; use async or sync");
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

  /**
   * The record as this device stores it: the mode's tensors only, tensor data left out (and the
   * record marked truncated) over the payload cap, and the device id filled in when missing.
   */
  CaptureRecord shape(CaptureRecord r, String device) {
    List<CaptureTensor> in = mode == CaptureMode.OUTPUTS ? List.of() : r.inputs();
    List<CaptureTensor> out = mode == CaptureMode.INPUTS ? List.of() : r.outputs();
    long bytes = 0;
    for (CaptureTensor t : in) {
      bytes += t.dataBytes();
    }
    for (CaptureTensor t : out) {
      bytes += t.dataBytes();
    }
    boolean cut = bytes > maxPayloadBytes;
    if (cut) {
      in = in.stream().map(CaptureTensor::withoutData).toList();
      out = out.stream().map(CaptureTensor::withoutData).toList();
    }
    return new CaptureRecord(
        r.schema(),
        r.id(),
        r.deviceId() == null ? device : r.deviceId(),
        r.model(),
        r.version(),
        r.variant(),
        r.timestampMs(),
        r.latencyMs(),
        in,
        out,
        r.shadow(),
        r.truncated() || cut,
        r.requestId(),
        r.customAttributes());
  }
}
