package dev.kiln.bench.capture;

import dev.kiln.link.outbox.Outbox;
import dev.kiln.link.outbox.OutboxConfig;
import dev.kiln.link.outbox.OutboxWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * What {@code cloud.capture.durability: sync} costs a caller as callers multiply: N threads each
 * hand CNN-sized records (16,817 bytes) to the outbox writer and wait for the fsync ({@code
 * offerAndWait}), the agent's request threads in sync mode. Group commit should let the records per
 * second grow with N while each caller's wait stays near one fsync.
 */
public final class GroupCommitBench {
  /** One concurrency level. */
  public record Row(int callers, int records, double seconds, double p50Ms, double p99Ms) {
    public double perSecond() {
      return records / seconds;
    }
  }

  private GroupCommitBench() {}

  public static List<Row> run(int[] callers, int perCaller) throws Exception {
    byte[] record = new byte[16_817];
    Arrays.fill(record, (byte) 'x');
    Path work = Files.createTempDirectory("kiln-bench-group-commit");
    List<Row> rows = new ArrayList<>();
    measure(work.resolve("warm-up"), record, 4, 200);
    for (int n : callers) {
      rows.add(measure(work.resolve("c" + n), record, n, perCaller));
    }
    return rows;
  }

  private static Row measure(Path dir, byte[] record, int callers, int perCaller) throws Exception {
    OutboxConfig config =
        OutboxConfig.defaults(dir).withMaxBytes(4L << 30, 8L << 20).withMinFreeDiskBytes(0);
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try (Outbox outbox = Outbox.open(config);
        OutboxWriter<byte[]> writer =
            new OutboxWriter<>("bench", outbox, 10_000, Function.identity())) {
      List<Future<double[]>> futures = new ArrayList<>();
      long start = System.nanoTime();
      for (int c = 0; c < callers; c++) {
        futures.add(
            pool.submit(
                () -> {
                  double[] waits = new double[perCaller];
                  for (int i = 0; i < perCaller; i++) {
                    long t = System.nanoTime();
                    if (!writer.offerAndWait(record, Duration.ofSeconds(30))) {
                      throw new IllegalStateException("a record was not made durable");
                    }
                    waits[i] = (System.nanoTime() - t) / 1e6;
                  }
                  return waits;
                }));
      }
      List<Double> all = new ArrayList<>();
      for (Future<double[]> f : futures) {
        for (double w : f.get()) {
          all.add(w);
        }
      }
      double secs = (System.nanoTime() - start) / 1e9;
      double[] sorted = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return new Row(
          callers,
          sorted.length,
          secs,
          sorted[(int) (sorted.length * 0.50)],
          sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))]);
    } finally {
      pool.shutdownNow();
    }
  }

  public static void print(List<Row> rows) throws IOException {
    System.out.println(
        "| callers waiting for fsync | records | records/s | wait p50 ms | wait p99 ms |");
    System.out.println("|---:|---:|---:|---:|---:|");
    for (Row r : rows) {
      System.out.printf(
          "| %d | %d | %.0f | %.2f | %.2f |%n",
          r.callers(), r.records(), r.perSecond(), r.p50Ms(), r.p99Ms());
    }
  }
}
