package dev.kiln.cli.loop;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Drifted, labelled traffic while a rollout runs, so the canary's health gates see requests (and,
 * with the accuracy gate, labels) from the updated device. Stops when closed.
 */
final class BackgroundLoad implements AutoCloseable {
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ExecutorService thread = Executors.newSingleThreadExecutor();

  BackgroundLoad(LabelledTraffic traffic) {
    thread.submit(
        () -> {
          int round = 0;
          while (running.get()) {
            traffic.send("rollout" + round, 100, true, 100 + round);
            round++;
          }
          return null;
        });
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.shutdown();
    thread.awaitTermination(1, TimeUnit.MINUTES);
  }
}
