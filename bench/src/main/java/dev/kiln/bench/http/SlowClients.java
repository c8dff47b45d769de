package dev.kiln.bench.http;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The slow-client attack of issue 11: N connections each send a request line, then one header byte
 * every few seconds and never finish their head. Meanwhile a probe, on a fresh connection, asks
 * {@code GET /ping}: a server that holds a worker per unfinished request stops answering once N
 * reaches its pool; one that parses heads on its I/O thread does not notice them.
 */
final class SlowClients {
  private static final byte[] REQUEST_LINE =
      "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trickle: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ONE_BYTE = {'a'};

  /**
   * @param slowConnections connections trickling when the probes ran
   * @param answered probes that got a 200 within the timeout
   * @param probes probes sent, one after another
   * @param worstMillis the slowest answered probe, or the timeout when any went unanswered
   */
  record Result(int slowConnections, int answered, int probes, double worstMillis) {}

  private SlowClients() {}

  static Result run(
      int port, int slowConnections, long trickleSeconds, int probes, int probeTimeoutMillis)
      throws Exception {
    List<KeepAliveConnection> slow = new ArrayList<>();
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try {
      for (int i = 0; i < slowConnections; i++) {
        KeepAliveConnection c = KeepAliveConnection.open(port, 0);
        slow.add(c);
        c.send(REQUEST_LINE);
      }
      trickle.scheduleAtFixedRate(
          () -> slow.forEach(SlowClients::sendOneByte),
          trickleSeconds,
          trickleSeconds,
          TimeUnit.SECONDS);
      // Let the server take every slow connection in (and, for a worker-per-request server, hand
      // them to its workers) before probing.
      TimeUnit.SECONDS.sleep(1);
      int answered = 0;
      double worst = 0;
      for (int i = 0; i < probes; i++) {
        double millis = probe(port, probeTimeoutMillis);
        if (millis >= 0) {
          answered++;
          worst = Math.max(worst, millis);
        } else {
          worst = probeTimeoutMillis;
        }
      }
      return new Result(slowConnections, answered, probes, worst);
    } finally {
      trickle.shutdownNow();
      for (KeepAliveConnection c : slow) {
        c.close();
      }
    }
  }

  /** Milliseconds until a fresh connection's {@code GET /ping} got its 200; -1 if it did not. */
  private static double probe(int port, int timeoutMillis) throws IOException {
    long t = System.nanoTime();
    try (KeepAliveConnection c = KeepAliveConnection.open(port, timeoutMillis)) {
      int status = c.exchange(Requests.PING);
      return status == 200 ? (System.nanoTime() - t) / 1e6 : -1;
    } catch (SocketTimeoutException e) {
      return -1;
    }
  }

  private static void sendOneByte(KeepAliveConnection c) {
    try {
      c.send(ONE_BYTE);
    } catch (IOException e) {
      // The server closed it (a header timeout would): the attack on this connection is over.
    }
  }
}
