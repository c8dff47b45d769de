package dev.kiln.cloud.store;

import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.UUID;

/**
 * The fixture of the read-side contracts: captures of model {@code m} in several versions, served
 * or shadowed, with three-class outputs, and heartbeats carrying per-version request and error
 * totals, all written through {@link CaptureStore}.
 */
final class CapturedVersions {
  private CapturedVersions() {}

  /** A capture of model {@code m} whose top class is {@code top} (score 0.9). */
  static CaptureRecord record(
      String device, String version, int top, long ts, double latency, boolean shadow, String req) {
    float[] scores = new float[3];
    scores[top] = 0.9f;
    return new CaptureRecord(
        1,
        UUID.randomUUID().toString(),
        device,
        "m",
        version,
        shadow ? version + "-shadow" : version,
        ts,
        latency,
        List.of(),
        List.of(CaptureTensor.ofFloats("y", new long[] {1, 3}, scores)),
        shadow,
        false,
        req);
  }

  /** A heartbeat at {@code ts} whose metrics object is {@code metrics} (JSON). */
  static void heartbeat(CaptureStore store, String device, long ts, String metrics)
      throws Exception {
    store.inTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO heartbeats (id, device_id, ts, payload) VALUES (?, ?,"
                      + " epoch_ms(?), ?)")) {
            ps.setString(1, UUID.randomUUID().toString());
            ps.setString(2, device);
            ps.setLong(3, ts);
            ps.setString(4, "{\"ts\":" + ts + ",\"metrics\":" + metrics + "}");
            return ps.executeUpdate();
          }
        });
  }
}
