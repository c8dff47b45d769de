package dev.kiln.cloud.monitor;

import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Synthetic capture traffic of a four-feature classifier, as an agent would record it: input x is
 * [1, 4] with feature j drawn from N(j, 1) (plus {@code shift} on feature {@link #SHIFTED}), output
 * y is [1, 3] scores whose top class follows x[0] + x[2].
 */
public final class Traffic {
  public static final String MODEL = "sensor";

  /** The feature the drifted traffic moves. */
  public static final int SHIFTED = 2;

  private Traffic() {}

  /**
   * Stores {@code n} records spread over one minute from {@code start}, on two devices, version 1,
   * in batches of 500 as the ingestor would.
   */
  public static void insertMinute(CaptureStore store, long seed, int n, long start, double shift)
      throws SQLException {
    List<CaptureRecord> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(record(seed, i, "dev-" + (i % 2), "1", start + i * 60_000L / n, shift));
      if (batch.size() == 500) {
        store.insertCaptures(batch, "b");
        batch.clear();
      }
    }
    store.insertCaptures(batch, "b");
  }

  public static CaptureRecord record(
      long seed, int i, String device, String version, long tsMs, double shift) {
    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i);
    float[] x = new float[4];
    for (int j = 0; j < 4; j++) {
      x[j] = (float) (j + gaussian(r) + (j == SHIFTED ? shift : 0));
    }
    double s = x[0] + x[2] - 2;
    float[] y = new float[3];
    y[s < -0.7 ? 0 : s < 0.7 ? 1 : 2] = 0.9f;
    return new CaptureRecord(
        1,
        new UUID(seed, i).toString(),
        device,
        MODEL,
        version,
        "fp32",
        tsMs,
        1.0,
        List.of(CaptureTensor.ofFloats("x", new long[] {1, 4}, x)),
        List.of(CaptureTensor.ofFloats("y", new long[] {1, 3}, y)),
        false,
        false);
  }

  private static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
