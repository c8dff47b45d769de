package dev.kiln.bench.monitor;

import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.cloud.monitor.CaptureBaselines;
import dev.kiln.cloud.monitor.CaptureWindow;
import dev.kiln.cloud.monitor.DriftCheck;
import dev.kiln.cloud.monitor.Monitor;
import dev.kiln.cloud.monitor.Scope;
import dev.kiln.cloud.monitor.Thresholds;
import dev.kiln.cloud.store.CaptureRow;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What one {@code kiln monitor check} over a million captured records costs, against a plain {@code
 * SELECT count(*)} over the same rows in the same run. The captures are a four-feature classifier's
 * ([1, 4] float32 in, [1, 3] out) from ten devices, as the agent records them (base64 tensors in
 * JSON); they are generated in DuckDB from 5,000 distinct records repeated ({@code INSERT ...
 * SELECT} over {@code range()}), the second half with x[2] shifted so the check also finds and
 * stores violations. The check runs with the defaults: fleet, version and device groups.
 */
public final class MonitorCheckBench {
  private static final String MODEL = "bench";
  private static final int TEMPLATES = 5_000;
  private static final long T0 = 1_767_225_600_000L;

  /** The medians of {@code rounds} interleaved runs. */
  public record Result(
      long rows,
      double generateSeconds,
      double countMs,
      double checkMs,
      double checkCpuSeconds,
      int violations) {
    public double ratio() {
      return checkMs / countMs;
    }
  }

  private MonitorCheckBench() {}

  public static Result run(long rows, int rounds) throws Exception {
    Path dir = Files.createTempDirectory("kiln-bench-monitor");
    try (CaptureStore store = CaptureStore.open(dir.resolve("bench.duckdb"))) {
      long g0 = System.nanoTime();
      generate(store, rows);
      double generateSeconds = (System.nanoTime() - g0) / 1e9;
      // The baseline: the first 50,000 records (unshifted), as `kiln monitor baseline` builds it.
      Baseline baseline =
          CaptureBaselines.build(
              store, new CaptureWindow(MODEL, null, T0, T0 + 50_000L), System.currentTimeMillis());
      DriftCheck check = new DriftCheck(baseline, Thresholds.DEFAULTS, EnumSet.allOf(Scope.class));
      Monitor monitor = new Monitor(store, null);
      long until = T0 + rows;
      double[] count = new double[rounds];
      double[] checks = new double[rounds];
      double[] cpu = new double[rounds];
      int violations = 0;
      count(store, until);
      monitor.check(check, null, T0, until, until);
      for (int r = 0; r < rounds; r++) {
        long c0 = System.nanoTime();
        long n = count(store, until);
        count[r] = (System.nanoTime() - c0) / 1e6;
        long k0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        Monitor.Outcome o = monitor.check(check, null, T0, until, until);
        checks[r] = (System.nanoTime() - k0) / 1e6;
        cpu[r] = (processCpuNanos() - cpu0) / 1e9;
        if (n != rows || o.report().records() != rows) {
          throw new IllegalStateException(
              "counted " + n + ", checked " + o.report().records() + ", want " + rows);
        }
        violations = o.report().violations().size();
      }
      return new Result(
          rows, generateSeconds, median(count), median(checks), median(cpu), violations);
    } finally {
      deleteTree(dir);
    }
  }

  /** One record a millisecond from T0; record i is template i % TEMPLATES, shifted past half. */
  private static void generate(CaptureStore store, long rows) throws Exception {
    store.inTransaction(
        c -> {
          try (Statement st = c.createStatement()) {
            st.execute(
                "CREATE TEMP TABLE tpl (k INTEGER, shifted BOOLEAN, inputs VARCHAR, outputs"
                    + " VARCHAR, top INTEGER, mx DOUBLE)");
          }
          SplittableRandom random = new SplittableRandom(7);
          try (PreparedStatement ps =
              c.prepareStatement("INSERT INTO tpl VALUES (?, ?, ?, ?, ?, ?)")) {
            for (boolean shifted : new boolean[] {false, true}) {
              for (int k = 0; k < TEMPLATES; k++) {
                CaptureRow row = CaptureRow.of(record(random, shifted ? 1.0 : 0));
                ps.setInt(1, k);
                ps.setBoolean(2, shifted);
                ps.setString(3, row.inputsJson());
                ps.setString(4, row.outputsJson());
                ps.setInt(5, row.outputTop());
                ps.setDouble(6, row.outputMax());
                ps.addBatch();
              }
            }
            ps.executeBatch();
          }
          try (Statement st = c.createStatement()) {
            st.execute(
                "INSERT INTO captures (id, device_id, model, version, variant, ts, latency_ms,"
                    + " shadow, truncated, output_top, output_max, inputs, outputs, batch_id)"
                    + " SELECT 'r' || i, 'dev-' || (i % 10), '"
                    + MODEL
                    + "', '1', 'fp32', epoch_ms("
                    + T0
                    + " + i), 1.0, false, false, top, mx, inputs, outputs, 'b'"
                    + " FROM range("
                    + rows
                    + ") r(i) JOIN tpl ON tpl.k = i % "
                    + TEMPLATES
                    + " AND tpl.shifted = (i >= "
                    + rows / 2
                    + ")");
            st.execute("DROP TABLE tpl");
          }
          return null;
        });
  }

  private static CaptureRecord record(SplittableRandom r, double shift) {
    float[] x = new float[4];
    for (int j = 0; j < 4; j++) {
      double u = 1 - r.nextDouble();
      double g = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
      x[j] = (float) (j + g + (j == 2 ? shift : 0));
    }
    double s = x[0] + x[2] - 2;
    float[] y = new float[3];
    y[s < -0.7 ? 0 : s < 0.7 ? 1 : 2] = 0.9f;
    return new CaptureRecord(
        1,
        "t",
        "d",
        MODEL,
        "1",
        "fp32",
        T0,
        1.0,
        List.of(CaptureTensor.ofFloats("x", new long[] {1, 4}, x)),
        List.of(CaptureTensor.ofFloats("y", new long[] {1, 3}, y)),
        false,
        false);
  }

  private static long count(CaptureStore store, long until) {
    return store.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT count(*) FROM captures WHERE model = ? AND ts >= epoch_ms(?) AND ts <"
                      + " epoch_ms(?)")) {
            ps.setString(1, MODEL);
            ps.setLong(2, T0);
            ps.setLong(3, until);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
  }

  /**
   * CPU time of the whole process (DuckDB's threads included): on a busy machine the wall time says
   * little, the CPU a check needs still holds.
   */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  public static void print(Result r) {
    System.out.printf(
        "| records | generate (s) | SELECT count(*) (ms) | kiln monitor check (ms) | check CPU (s)"
            + " | ratio | records/s | violations | goal (< 10 s) |%n");
    System.out.printf("|---|---|---|---|---|---|---|---|---|%n");
    System.out.printf(
        "| %,d | %.1f | %.1f | %.0f | %.1f | %.0fx | %,.0f | %d | %s |%n",
        r.rows(),
        r.generateSeconds(),
        r.countMs(),
        r.checkMs(),
        r.checkCpuSeconds(),
        r.ratio(),
        r.rows() / (r.checkMs() / 1000),
        r.violations(),
        r.checkMs() < 10_000 ? "met" : "missed");
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
