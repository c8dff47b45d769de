package dev.kiln.bench.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Requests per second through the agent at several client concurrencies, with dynamic batching off
 * (maxBatchSize 1) and on (8 and 32 rows, 2 ms delay). The three agents run side by side in this
 * JVM; each concurrency level runs them in the order A B C, then C B A, half the time each, so a
 * drift in machine load hits all of them alike. HTTP worker threads are raised to the largest
 * concurrency: with the default (4 on 2 cores) no batch could ever hold more than 4 requests.
 */
public final class ThroughputBench {
  /** Requests per second per configuration, at one concurrency. */
  public record Row(String model, int clients, double noBatch, double batch8, double batch32) {}

  private static final String[] LABELS = {"maxBatchSize 1", "maxBatchSize 8", "maxBatchSize 32"};

  private ThroughputBench() {}

  public static List<Row> run(
      Path repo, String relative, int[] concurrency, double seconds, int threads) throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-throughput");
    BenchModel model = BenchModel.compile(repo, relative, work);
    int httpThreads = concurrency[concurrency.length - 1];
    List<Row> rows = new ArrayList<>();
    int[] sizes = {1, 8, 32};
    List<InProcessAgent> agents = new ArrayList<>();
    try {
      for (int size : sizes) {
        agents.add(
            InProcessAgent.start(
                AgentSetup.of(model, threads, size).withHttpThreads(httpThreads),
                work.resolve("b" + size),
                "b" + size));
      }
      for (int i = 0; i < agents.size(); i++) {
        // Warm-up: JIT, engine arenas and keep-alive connections.
        closedLoop(agents.get(i), model, httpThreads, Math.min(2.0, seconds / 2));
      }
      for (int clients : concurrency) {
        long[] done = new long[sizes.length];
        double[] secs = new double[sizes.length];
        for (int pass = 0; pass < 2; pass++) {
          for (int k = 0; k < sizes.length; k++) {
            int j = pass == 0 ? k : sizes.length - 1 - k;
            long t = System.nanoTime();
            done[j] += closedLoop(agents.get(j), model, clients, seconds / 2);
            secs[j] += (System.nanoTime() - t) / 1e9;
          }
        }
        rows.add(
            new Row(
                model.name(), clients, done[0] / secs[0], done[1] / secs[1], done[2] / secs[2]));
        System.err.printf("%s clients=%d: %s%n", model.name(), clients, rows.get(rows.size() - 1));
      }
    } finally {
      agents.forEach(InProcessAgent::close);
    }
    return rows;
  }

  static String label(int i) {
    return LABELS[i];
  }

  /** Closed loop: each client sends its next request when the last one answered. */
  static long closedLoop(InProcessAgent agent, BenchModel model, int clients, double seconds)
      throws Exception {
    return closedLoop(
        io -> new Invoker(agent.baseUrl(), model.requestJson(), io), clients, seconds);
  }

  /**
   * Closed loop over the invoker {@code invokers} makes with a 2-thread I/O executor.
   *
   * @return requests answered 200 within {@code seconds}
   */
  static long closedLoop(Function<Executor, Invoker> invokers, int clients, double seconds)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    ExecutorService io = Executors.newFixedThreadPool(2);
    try {
      Invoker invoker = invokers.apply(io);
      LongAdder count = new LongAdder();
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      List<Future<?>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        futures.add(
            pool.submit(
                () -> {
                  while (System.nanoTime() < deadline) {
                    invoker.invoke();
                    count.increment();
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      return count.sum();
    } finally {
      pool.shutdown();
      io.shutdown();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
  }
}
