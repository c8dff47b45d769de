package dev.kiln.bench.capture;

import dev.kiln.link.outbox.Outbox;
import dev.kiln.link.outbox.OutboxConfig;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The device's disk outbox alone, sealed (AES-256-GCM) against plain: the same encoded capture
 * record (the size of the CNN's, 3,082 floats in and out) appended and fsynced in groups of 1024,
 * the way the background writer does. Variants alternate, rotated every round, each round into a
 * fresh outbox; the medians are compared.
 */
public final class OutboxBench {
  private static final int GROUP = 1024;

  /** One variant's medians over the rounds. */
  public record Row(
      String variant, int records, int recordBytes, double appendMicros, double perSecond) {}

  private OutboxBench() {}

  public static List<Row> run(int records, int rounds) throws IOException {
    byte[] record = ProtocolJson.write(cnnSizedRecord());
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Path work = Files.createTempDirectory("kiln-bench-outbox");
    String[] names = {"plain", "sealed"};
    byte[][] keys = {null, key};
    List<double[]> append = List.of(new double[rounds], new double[rounds]);
    List<double[]> rate = List.of(new double[rounds], new double[rounds]);
    // Warm-up long enough for C2 to compile the AES-GCM intrinsics (about 10,000 records here).
    for (int w = 0; w < 4; w++) {
      round(work, record, keys[0], 3000);
      round(work, record, keys[1], 3000);
    }
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < 2; k++) {
        int v = (r + k) % 2;
        double[] m = round(work, record, keys[v], records);
        System.err.printf("round %d %s: %.1f us/append, %.0f records/s%n", r, names[v], m[0], m[1]);
        append.get(v)[r] = m[0];
        rate.get(v)[r] = m[1];
      }
    }
    List<Row> rows = new ArrayList<>();
    for (int v = 0; v < 2; v++) {
      rows.add(
          new Row(names[v], records, record.length, median(append.get(v)), median(rate.get(v))));
    }
    return rows;
  }

  /** [mean microseconds per append, records per second including the group fsyncs]. */
  private static double[] round(Path work, byte[] record, byte[] key, int records)
      throws IOException {
    Path dir = work.resolve("outbox");
    deleteTree(dir);
    OutboxConfig config =
        OutboxConfig.defaults(dir)
            .withMaxBytes(4L << 30, 8L << 20)
            .withMinFreeDiskBytes(0)
            .withEncryptionKey(key);
    long appendNanos = 0;
    long start = System.nanoTime();
    try (Outbox o = Outbox.open(config)) {
      for (int i = 0; i < records; i++) {
        long t = System.nanoTime();
        if (o.append(record) < 0) {
          throw new IllegalStateException("the outbox dropped a record: " + o.stats());
        }
        appendNanos += System.nanoTime() - t;
        if ((i + 1) % GROUP == 0) {
          o.flush();
        }
      }
      o.flush();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    return new double[] {appendNanos / 1e3 / records, records / secs};
  }

  private static CaptureRecord cnnSizedRecord() {
    float[] values = new float[3082];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) Math.sin(i);
    }
    List<CaptureTensor> in = List.of(CaptureTensor.ofFloats("input", new long[] {1, 3082}, values));
    List<CaptureTensor> out =
        List.of(CaptureTensor.ofFloats("output", new long[] {1, 10}, Arrays.copyOf(values, 10)));
    return CaptureRecord.of("cnn", "1", "1", 0.1, in, out, false);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Markdown rows, with the sealed/plain ratios. */
  public static void print(List<Row> rows) {
    System.out.println(
        "| outbox | records | bytes per record | append µs/record (median) | records/s with group fsync (median) | ratio to plain |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    Row plain = rows.get(0);
    for (Row r : rows) {
      System.out.printf(
          "| %s | %d | %d | %.1f | %.0f | %s |%n",
          r.variant(),
          r.records(),
          r.recordBytes(),
          r.appendMicros(),
          r.perSecond(),
          r == plain
              ? ""
              : String.format(
                  "append %.2fx, records/s %.2fx",
                  r.appendMicros() / plain.appendMicros(), r.perSecond() / plain.perSecond()));
    }
  }
}
