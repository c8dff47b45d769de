package dev.kiln.bench.agent;

import dev.kiln.bench.Stats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A closed loop of raw-socket clients ({@link SocketInvoker}, one connection each), each sending
 * its next request when the last one answered. Every server and body form costs the client the
 * same: a prebuilt request written in one call, the reply read by its Content-Length and not
 * parsed. The JDK {@code HttpClient} cost the client more CPU than the agent's own path on the same
 * 2 cores, so ratios taken with it partly measured the client.
 *
 * @param path request target, e.g. {@code /invocations}
 * @param body null for a GET
 */
public record SocketLoad(
    String baseUrl, String path, String contentType, byte[] body, Map<String, String> headers) {

  /** Requests answered, the seconds the loop ran, and every request's latency in milliseconds. */
  public record Outcome(long requests, double seconds, double[] millis) {
    public double perSecond() {
      return requests / seconds;
    }

    public Stats latency() {
      return Stats.of(millis);
    }
  }

  /** {@code POST /invocations} with {@code body}. */
  public static SocketLoad invocations(String baseUrl, String contentType, byte[] body) {
    return new SocketLoad(baseUrl, "/invocations", contentType, body, Map.of());
  }

  /** A fresh client with its own connection; the caller closes it. */
  public SocketInvoker invoker() {
    return new SocketInvoker(baseUrl, path, contentType, body, headers);
  }

  /**
   * Runs {@code clients} clients for {@code seconds}; throws on the first reply that is not 200.
   */
  public Outcome run(int clients, double seconds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      long started = System.nanoTime();
      long deadline = started + (long) (seconds * 1e9);
      List<Future<double[]>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        futures.add(pool.submit(() -> oneClient(deadline)));
      }
      List<double[]> perClient = new ArrayList<>();
      for (Future<double[]> f : futures) {
        perClient.add(f.get());
      }
      double elapsed = (System.nanoTime() - started) / 1e9;
      double[] all = new double[perClient.stream().mapToInt(a -> a.length).sum()];
      int at = 0;
      for (double[] a : perClient) {
        System.arraycopy(a, 0, all, at, a.length);
        at += a.length;
      }
      return new Outcome(all.length, elapsed, all);
    } finally {
      pool.shutdown();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private double[] oneClient(long deadline) throws Exception {
    double[] millis = new double[1024];
    int n = 0;
    try (SocketInvoker invoker = invoker()) {
      for (long t = System.nanoTime(); t < deadline; t = System.nanoTime()) {
        invoker.invoke();
        if (n == millis.length) {
          millis = Arrays.copyOf(millis, n * 2);
        }
        millis[n++] = (System.nanoTime() - t) / 1e6;
      }
    }
    return Arrays.copyOf(millis, n);
  }
}
