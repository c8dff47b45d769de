package dev.kiln.bench.capture;

import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.StoreLocation;
import dev.kiln.fleet.simulate.capture.CaptureLoad;
import dev.kiln.testkit.Mosquitto;
import dev.kiln.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Captures per second stored by the ingestor into each store, in one run: DuckDB with one ingestor,
 * PostgreSQL with one, PostgreSQL with two sharing capture through an MQTT 5 shared subscription.
 * Each setup gets a fresh Mosquitto (in memory, loopback) and a fresh store; the same CNN-sized
 * records ({@link CaptureLoad}, encoded before the clock starts) are published by simulated devices
 * at QoS 1 as fast as the broker takes them. Time = first publish until {@code count(*)} reaches
 * the number of records (polled every 20 ms on its own connection). PostgreSQL runs with fsync on,
 * as in production; so does DuckDB's commit.
 */
public final class CaptureStoresBench {
  private static final int DEVICES = 8;
  private static final int RECORDS_PER_BATCH = 32;
  private static final Duration LIMIT = Duration.ofMinutes(10);

  /** One setup's result. */
  public record Row(
      String store,
      int ingestors,
      int records,
      double publishSeconds,
      double seconds,
      long distinct) {
    public double perSecond() {
      return records / seconds;
    }
  }

  /** The end-to-end rows and, measured after them, the cost of each ingest stage. */
  public record Report(List<Row> rows, List<IngestStages.Stage> stages) {}

  private CaptureStoresBench() {}

  public static Report run(int records) throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-stores");
    List<Row> rows = new ArrayList<>();
    rows.add(
        one("duckdb", 1, StoreLocation.parse("duckdb:" + work.resolve("c.duckdb")), records, work));
    try (PostgresServer pg = PostgresServer.start()) {
      for (int ingestors : new int[] {1, 2}) {
        StoreLocation where =
            StoreLocation.parse(pg.createDatabase("bench_" + ingestors).storeUri());
        rows.add(one("postgresql", ingestors, where, records, work));
      }
      CaptureLoad load = CaptureLoad.encode("stages", DEVICES, records, RECORDS_PER_BATCH);
      return new Report(rows, IngestStages.measure(load, pg, work));
    }
  }

  private static Row one(String name, int ingestors, StoreLocation where, int records, Path work)
      throws Exception {
    String setup = name + "-" + ingestors;
    CaptureLoad load = CaptureLoad.encode(setup, DEVICES, records, RECORDS_PER_BATCH);
    List<CloudService> services = new ArrayList<>();
    try (Mosquitto broker = Mosquitto.startInMemory(work.resolve("mosquitto-" + setup))) {
      for (int i = 0; i < ingestors; i++) {
        CloudService s =
            CloudService.start(
                new CloudService.Options(
                    broker.url(),
                    where,
                    "127.0.0.1",
                    0,
                    work.resolve("broker-" + setup),
                    false,
                    "kiln-bench-" + setup + "-" + i,
                    "bench-" + setup,
                    null));
        services.add(s);
        if (!s.ingestor().awaitReady(Duration.ofSeconds(30))) {
          throw new IllegalStateException(setup + ": ingestor " + i + " did not subscribe");
        }
      }
      CaptureStore store = services.get(0).store();
      long t0 = System.nanoTime();
      CompletableFuture<Long> published =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  load.publish(broker.url(), LIMIT);
                  return System.nanoTime();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      long deadline = t0 + LIMIT.toNanos();
      long stored = 0;
      while (stored < records && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(20);
        stored = count(store, "SELECT count(*) FROM captures");
      }
      long end = System.nanoTime();
      if (stored < records) {
        throw new IllegalStateException(setup + ": only " + stored + " of " + records + " stored");
      }
      long publishEnd = published.get(1, TimeUnit.MINUTES);
      return new Row(
          name,
          ingestors,
          records,
          (publishEnd - t0) / 1e9,
          (end - t0) / 1e9,
          count(store, "SELECT count(DISTINCT id) FROM captures"));
    } finally {
      for (CloudService s : services) {
        s.close();
      }
    }
  }

  /**
   * On its own connection ({@link CaptureStore#scan}), so the poll does not queue behind ingest.
   */
  private static long count(CaptureStore store, String sql) {
    return store.scan(
        c -> {
          try (Statement st = c.createStatement();
              ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  public static void print(Report report) {
    List<Row> rows = report.rows();
    System.out.println(
        "| store | ingestors | records | s until broker acked all | s until all stored |"
            + " records/s stored | vs DuckDB, 1 ingestor | distinct ids stored |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    double base = rows.get(0).perSecond();
    for (Row r : rows) {
      System.out.printf(
          "| %s | %d | %d | %.2f | %.2f | %.0f | %.2fx | %d |%n",
          r.store(),
          r.ingestors(),
          r.records(),
          r.publishSeconds(),
          r.seconds(),
          r.perSecond(),
          r.perSecond() / base,
          r.distinct());
    }
    if (rows.size() == 3) {
      System.out.printf(
          "%nPostgreSQL, 2 ingestors vs 1: %.2fx%n",
          rows.get(2).perSecond() / rows.get(1).perSecond());
    }
    IngestStages.print(report.stages());
  }
}
