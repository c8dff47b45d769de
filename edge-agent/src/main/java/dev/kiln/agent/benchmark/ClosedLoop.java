package dev.kiln.agent.benchmark;

import dev.kiln.agent.runtime.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A closed-loop load: {@code concurrency} clients, each sending its next request as soon as the
 * last one answered, until the time or request bound is reached. Each client waits, unmeasured,
 * while the {@link ProductionGate} says production traffic is in flight.
 */
final class ClosedLoop {
  private static final long YIELD_POLL_NANOS = 1_000_000;

  /**
   * @param latenciesNanos every measured request's latency, sorted
   * @param elapsedNanos wall time of the load, from the first client's start to the last one's end
   * @param yieldedNanos time clients spent waiting for production traffic, summed over clients
   * @param errors requests that threw (not in the latencies); the first failure's message is kept
   */
  record Result(
      long[] latenciesNanos,
      long elapsedNanos,
      long yieldedNanos,
      long errors,
      String firstError) {}

  private ClosedLoop() {}

  /**
   * @param deadlineNanos {@code System.nanoTime()} after which every client stops (the whole
   *     benchmark's budget), even within the per-run bound
   */
  static Result run(
      Function<Map<String, Tensor>, Map<String, Tensor>> serve,
      Map<String, Tensor> inputs,
      int concurrency,
      double seconds,
      long maxRequests,
      ProductionGate gate,
      long deadlineNanos)
      throws InterruptedException {
    long start = System.nanoTime();
    long end = Math.min(deadlineNanos, start + (long) (seconds * 1e9));
    AtomicLong issued = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong yielded = new AtomicLong();
    String[] firstError = new String[1];
    long[][] perClient = new long[concurrency][];
    int[] counts = new int[concurrency];
    Thread[] clients = new Thread[concurrency];
    for (int i = 0; i < concurrency; i++) {
      int id = i;
      clients[i] =
          new Thread(
              () -> {
                long[] lat = new long[1024];
                int n = 0;
                while (true) {
                  if (gate.busy()) {
                    long waitStart = System.nanoTime();
                    while (gate.busy() && System.nanoTime() < end) {
                      LockSupport.parkNanos(YIELD_POLL_NANOS);
                    }
                    yielded.addAndGet(System.nanoTime() - waitStart);
                  }
                  long t0 = System.nanoTime();
                  if (t0 >= end || issued.incrementAndGet() > maxRequests) {
                    break;
                  }
                  try {
                    serve.apply(inputs);
                    long took = System.nanoTime() - t0;
                    if (n == lat.length) {
                      lat = Arrays.copyOf(lat, n * 2);
                    }
                    lat[n++] = took;
                  } catch (RuntimeException e) {
                    if (errors.getAndIncrement() == 0) {
                      synchronized (firstError) {
                        firstError[0] = String.valueOf(e.getMessage());
                      }
                    }
                  }
                }
                perClient[id] = lat;
                counts[id] = n;
              },
              "kiln-benchmark-client-" + i);
      clients[i].setDaemon(true);
      clients[i].start();
    }
    for (Thread t : clients) {
      t.join();
    }
    long elapsed = System.nanoTime() - start;
    int total = 0;
    for (int c : counts) {
      total += c;
    }
    long[] all = new long[total];
    int at = 0;
    for (int i = 0; i < concurrency; i++) {
      System.arraycopy(perClient[i], 0, all, at, counts[i]);
      at += counts[i];
    }
    Arrays.sort(all);
    synchronized (firstError) {
      return new Result(all, elapsed, yielded.get(), errors.get(), firstError[0]);
    }
  }

  /** The {@code q}-quantile (0..1) of sorted values, nearest rank; 0 for none. */
  static long quantile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }
}
