package dev.kiln.cli.demo;

import dev.kiln.cloud.store.CaptureQueries;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Polls the store until capture and heartbeats have arrived, reporting progress as it goes. */
final class DemoWait {
  private DemoWait() {}

  static long captures(CaptureQueries queries, long expected, Duration timeout, DemoSteps steps)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long last = -1;
    while (true) {
      long now = count(queries, "SELECT count(*) FROM captures");
      if (now != last && now < expected) {
        steps.note(now + " / " + expected + " captured so far");
      }
      last = now;
      if (now >= expected) {
        return now;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "only " + now + " of " + expected + " captured predictions arrived within " + timeout);
      }
      TimeUnit.MILLISECONDS.sleep(300);
    }
  }

  static void heartbeat(CaptureQueries queries, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline
        && count(queries, "SELECT count(*) FROM devices WHERE last_heartbeat_at IS NOT NULL")
            == 0) {
      TimeUnit.MILLISECONDS.sleep(300);
    }
  }

  private static long count(CaptureQueries queries, String sql) {
    Object value = queries.query(sql).rows().get(0).get(0);
    return ((Number) value).longValue();
  }
}
