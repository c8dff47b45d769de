package dev.kiln.bench.http;

import dev.kiln.bench.Stats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * C keep-alive connections, each on its own thread sending its next request as soon as the last one
 * is answered (closed loop), for a warm-up and then a fixed measured window. Only requests that
 * complete inside the window count; the server's CPU time is read at both ends of the window.
 */
final class ClosedLoopLoad {
  /**
   * @param requestsPerSecond completed 200s per second in the window
   * @param latency client-side round trip of those requests
   * @param serverCpuMicrosPerRequest server process CPU (user + system) in the window / requests
   * @param failures non-200 replies and broken connections in the window
   */
  record Result(
      long requests,
      double requestsPerSecond,
      Stats latency,
      double serverCpuMicrosPerRequest,
      long failures) {}

  private ClosedLoopLoad() {}

  static Result run(
      ServerProcess server, Requests request, int connections, double warmup, double seconds)
      throws Exception {
    long start = System.nanoTime();
    long windowStart = start + (long) (warmup * 1e9);
    long windowEnd = windowStart + (long) (seconds * 1e9);
    AtomicLong failures = new AtomicLong();
    List<Client> clients = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      Client c = new Client(server.port(), request, windowStart, windowEnd, failures);
      clients.add(c);
      c.thread.start();
    }
    sleepUntil(windowStart);
    double cpuBefore = server.stats().cpuSeconds();
    sleepUntil(windowEnd);
    double cpuAfter = server.stats().cpuSeconds();
    long n = 0;
    for (Client c : clients) {
      c.thread.join(TimeUnit.SECONDS.toMillis(60));
      if (c.error != null) {
        throw new IllegalStateException(
            server.candidate() + " " + request.label() + ": " + c.error, c.error);
      }
      n += c.count;
    }
    double[] millis = new double[(int) n];
    int k = 0;
    for (Client c : clients) {
      for (int i = 0; i < c.count; i++) {
        millis[k++] = c.nanos[i] / 1e6;
      }
    }
    double cpuMicros = n == 0 ? Double.NaN : (cpuAfter - cpuBefore) * 1e6 / n;
    return new Result(n, n / seconds, n == 0 ? null : Stats.of(millis), cpuMicros, failures.get());
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  /** One connection's loop; keeps its round-trip times in a growing array, not boxed. */
  private static final class Client implements Runnable {
    private final int port;
    private final Requests request;
    private final long windowStart;
    private final long windowEnd;
    private final AtomicLong failures;
    private final Thread thread;
    private long[] nanos = new long[1 << 14];
    private int count;
    private Exception error;

    Client(int port, Requests request, long windowStart, long windowEnd, AtomicLong failures) {
      this.port = port;
      this.request = request;
      this.windowStart = windowStart;
      this.windowEnd = windowEnd;
      this.failures = failures;
      this.thread = new Thread(this, "load-" + port);
      thread.setDaemon(true);
    }

    @Override
    public void run() {
      KeepAliveConnection conn = null;
      try {
        long now = System.nanoTime();
        while (now < windowEnd) {
          if (conn == null) {
            conn = KeepAliveConnection.open(port, 30_000);
          }
          long t = now;
          int status;
          try {
            status = conn.exchange(request);
          } catch (IOException e) {
            status = -1;
            conn.close();
            conn = null;
          }
          now = System.nanoTime();
          boolean counted = t >= windowStart && now <= windowEnd;
          if (status != 200 && counted) {
            failures.incrementAndGet();
          } else if (counted) {
            record(now - t);
          }
          if (conn != null && conn.serverCloses()) {
            conn.close();
            conn = null;
          }
        }
      } catch (Exception e) {
        error = e;
      } finally {
        if (conn != null) {
          try {
            conn.close();
          } catch (IOException ignored) {
            // closing after the run; nothing to report
          }
        }
      }
    }

    private void record(long n) {
      if (count == nanos.length) {
        nanos = Arrays.copyOf(nanos, count * 2);
      }
      nanos[count++] = n;
    }
  }
}
