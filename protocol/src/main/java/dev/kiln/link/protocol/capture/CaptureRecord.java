package dev.kiln.link.protocol.capture;

import dev.kiln.link.protocol.ProtocolJson;
import java.util.List;
import java.util.UUID;

/**
 * One captured inference, the unit of capture on the wire and in the store. {@code id} is a UUID
 * made on the device; the cloud de-duplicates on it, which turns at-least-once delivery into
 * exactly-once storage.
 *
 * @param timestampMs epoch milliseconds when the inference finished
 * @param shadow true when a shadow (not serving) variant produced it
 * @param truncated true when the tensors were over the payload cap and their data was left out
 * @param requestId the agent's id of the request served; a shadow's record shares it with the
 *     primary's, which is how outputs are compared per request (null from older agents)
 * @param customAttributes the caller's {@code X-Amzn-SageMaker-Custom-Attributes} (at most 1024
 *     visible ASCII characters), opaque to Kiln; null when none was sent
 */
public record CaptureRecord(
    int schema,
    String id,
    String deviceId,
    String model,
    String version,
    String variant,
    long timestampMs,
    double latencyMs,
    List<CaptureTensor> inputs,
    List<CaptureTensor> outputs,
    boolean shadow,
    boolean truncated,
    String requestId,
    String customAttributes) {

  public CaptureRecord {
    inputs = inputs == null ? List.of() : List.copyOf(inputs);
    outputs = outputs == null ? List.of() : List.copyOf(outputs);
  }

  /** A record without custom attributes. */
  public CaptureRecord(
      int schema,
      String id,
      String deviceId,
      String model,
      String version,
      String variant,
      long timestampMs,
      double latencyMs,
      List<CaptureTensor> inputs,
      List<CaptureTensor> outputs,
      boolean shadow,
      boolean truncated,
      String requestId) {
    this(
        schema,
        id,
        deviceId,
        model,
        version,
        variant,
        timestampMs,
        latencyMs,
        inputs,
        outputs,
        shadow,
        truncated,
        requestId,
        null);
  }

  /** A record without a request id. */
  public CaptureRecord(
      int schema,
      String id,
      String deviceId,
      String model,
      String version,
      String variant,
      long timestampMs,
      double latencyMs,
      List<CaptureTensor> inputs,
      List<CaptureTensor> outputs,
      boolean shadow,
      boolean truncated) {
    this(
        schema,
        id,
        deviceId,
        model,
        version,
        variant,
        timestampMs,
        latencyMs,
        inputs,
        outputs,
        shadow,
        truncated,
        null);
  }

  /** The same record, tagged with the request it served. */
  public CaptureRecord withRequestId(String request) {
    return new CaptureRecord(
        schema,
        id,
        deviceId,
        model,
        version,
        variant,
        timestampMs,
        latencyMs,
        inputs,
        outputs,
        shadow,
        truncated,
        request,
        customAttributes);
  }

  /** The same record, carrying the caller's custom attributes. */
  public CaptureRecord withCustomAttributes(String attributes) {
    return new CaptureRecord(
        schema,
        id,
        deviceId,
        model,
        version,
        variant,
        timestampMs,
        latencyMs,
        inputs,
        outputs,
        shadow,
        truncated,
        requestId,
        attributes);
  }

  /** A new record stamped now with a fresh id; the link fills in the device id. */
  public static CaptureRecord of(
      String model,
      String version,
      String variant,
      double latencyMs,
      List<CaptureTensor> inputs,
      List<CaptureTensor> outputs,
      boolean shadow) {
    return new CaptureRecord(
        ProtocolJson.SCHEMA_VERSION,
        UUID.randomUUID().toString(),
        null,
        model,
        version,
        variant,
        System.currentTimeMillis(),
        latencyMs,
        inputs,
        outputs,
        shadow,
        false);
  }
}
